"""Reviews: the review view and the rating justification of one employee and cycle, now or as of a moment.

Live answers read the stored review states as the background projector left them (projections/projector.py); the
API waits for the position a caller needs before it asks, and nothing here writes. `as_of` answers fold each goal's
events up to that moment through the same pure reducer (projections/review/state.py), so the two paths cannot
disagree. Who may see what (domain.rules.review_scope): the employee their own review, the manager who decides it
all of it (ADR 0036), another manager the goals they manage, HR and auditors everything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Engine

from application.goals.parties import name_lookup, with_display_names
from application.goals.service import Goals
from application.store.settings import BusinessCalendar
from application.events.serialization import EventRecord
from domain import rules
from domain.values import Actor
from projections.review.justification import rating, rating_justification
from application.reviews.records import ReviewRecords
from application.reviews.release import ratings_released
from domain.review import Review
from domain.review_values import DecisionBasis
from projections.review.decision_view import decision_view
from projections.review_projection import content_hash, load_goal_ids, load_states, pinned_states
from projections.review.state import State, fold
from domain.review_decider import review_deciders
from projections.review.view import fraction, review_view
from projections.review.scoring import policy


class ReviewAccessDeniedError(PermissionError):
    """The caller may not see this employee's review at all (403)."""


class ReviewNotVisibleError(LookupError):
    """A manager asked for an employee none of whose goals in the cycle they manage (404: existence does not leak)."""


class Reviews:
    def __init__(self, goals: Goals, engine: Engine, today: Callable[[], date] | None = None) -> None:
        self.goals = goals
        self.engine = engine
        self.today = today or goals.today
        self.records = ReviewRecords(goals)  # read only: the read side issues no command
        self.calendar = BusinessCalendar(goals.settings.timezone)  # "today" as of a moment: the business date then

    def review(self, viewer: Actor, employee_id: str, cycle_id: str, as_of: datetime | None = None) -> dict[str, Any]:
        states, today, moment = self._states(viewer, employee_id, cycle_id, as_of)
        view = review_view(employee_id, cycle_id, moment, states, today)
        decided = decision_view(self._decided(employee_id, cycle_id, as_of))
        score, computed_band = rating(states, policy())
        # `band` is the band that stands: the final one once decided, else the one the score computes (ADR 0046).
        answer = {**view, **decided, "score": fraction(score), "band": decided["final_band"] or computed_band}
        if not self._shown_to(viewer, employee_id, cycle_id):
            answer = {**answer, "released": False, "score": None, "band": None, "final_band": None, "decision": None,
                      "disputes": [{**d, "band": None} for d in answer["disputes"]]}
        else:
            answer = {**answer, "released": True}
        named: dict[str, Any] = with_display_names(answer, name_lookup(self.goals.parties))  # issue 22, item 7
        return named

    def decision_basis(self, viewer: Actor, employee_id: str, cycle_id: str) -> DecisionBasis:
        """The justification a decision made now rests on, pinned: policy, content hash, position, managers.

        Read at one position of the review read model (read again if the projector moved meanwhile), over every
        goal of the employee in the cycle, whoever asks; the domain then checks the asker manages them all.
        """
        self.require_visible(viewer, employee_id, cycle_id)
        states, position = pinned_states(self.engine, employee_id, cycle_id)
        scoring = policy()
        document = rating_justification(employee_id, cycle_id, None, states, self.today(), scoring)
        return DecisionBasis(scoring.version, content_hash(document), position, document["band"],
                             tuple(band.name for band in scoring.bands), self._deciders(employee_id, states))

    def _deciders(self, employee_id: str, states: list[State]) -> frozenset[str]:
        """Who decides the review now (domain/review_decider.py), from the states of all its goals."""
        return review_deciders(self.goals.parties.reviewer_of(employee_id), (
            (s["manager_id"], s["status"], Decimal(str(s["weight"]))) for s in states))

    def _managed_by(self, viewer: Actor, employee_id: str, cycle_id: str) -> str | None:
        """None if the viewer sees all the employee's goals; a manager's id if only the goals they manage (the
        manager who decides the review sees all of them: ADR 0036)."""
        def deciders() -> frozenset[str]:
            if (reviewer := self.goals.parties.reviewer_of(employee_id)) is not None:
                return frozenset({reviewer})  # directory mode: no goal needs reading
            return self._deciders(employee_id, load_states(self.engine, employee_id, cycle_id))

        return managed_by(viewer, employee_id, deciders)

    def justification(
        self, viewer: Actor, employee_id: str, cycle_id: str, as_of: datetime | None = None,
        policy_version: str | None = None,
    ) -> dict[str, Any]:
        scoring = policy(policy_version)
        states, today, moment = self._states(viewer, employee_id, cycle_id, as_of)
        document = rating_justification(employee_id, cycle_id, moment, states, today, scoring)
        if not self._shown_to(viewer, employee_id, cycle_id):
            return {**document, "score": None, "band": None, "decision": None,
                    "statements": [s for s in document["statements"] if s["kind"] != "score"]}
        # The decision is beside the document, not in it: a decision pins the hash of the document without it.
        decision = decision_view(self._decided(employee_id, cycle_id, as_of))["decision"]
        named: dict[str, Any] = with_display_names({"decision": decision}, name_lookup(self.goals.parties))
        return {**document, **named}

    def _shown_to(self, viewer: Actor, employee_id: str, cycle_id: str) -> bool:
        """The rating is shown to everyone who may see the review, except the employee before HR releases it."""
        return (not rules.is_the_reviewed_employee(viewer, employee_id)
                or ratings_released(self.goals.repository, cycle_id))

    def _states(
        self, viewer: Actor, employee_id: str, cycle_id: str, as_of: datetime | None
    ) -> tuple[list[State], date, str | None]:
        manager_id = self._managed_by(viewer, employee_id, cycle_id)
        engine = self.engine
        if as_of is None:
            states = load_states(engine, employee_id, cycle_id, manager_id)
            today, moment = self.today(), None
        else:
            as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
            goal_ids = load_goal_ids(engine, employee_id, cycle_id, manager_id)
            states = [s for g in goal_ids if (s := self._as_of(g, as_of))]
            today, moment = self.calendar.date_of(as_of), as_of.isoformat()
        if manager_id is not None and not states:
            raise ReviewNotVisibleError(f"no goal of {employee_id!r} in cycle {cycle_id!r} is managed by {viewer.id!r}")
        return states, today, moment

    def require_visible(self, viewer: Actor, employee_id: str, cycle_id: str) -> None:
        """The viewer may see this review (403 otherwise); a manager, if they manage one of its goals (else 404)."""
        if (manager_id := self._managed_by(viewer, employee_id, cycle_id)) is not None:
            load_goal_ids(self.engine, employee_id, cycle_id, manager_id) or _not_visible(viewer, employee_id, cycle_id)

    def _decided(self, employee_id: str, cycle_id: str, as_of: datetime | None) -> Review | None:
        if as_of is None:
            return self.records.review(employee_id, cycle_id)
        return self.records.review_as_of(employee_id, cycle_id, as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC))

    def _as_of(self, goal_id: str, as_of: datetime) -> State | None:
        events = self.goals.goal_events(UUID(goal_id), until=as_of)
        return fold(EventRecord.of(event) for event in events)


def _not_visible(viewer: Actor, employee_id: str, cycle_id: str) -> list[str]:
    raise ReviewNotVisibleError(f"no goal of {employee_id!r} in cycle {cycle_id!r} is managed by {viewer.id!r}")


def managed_by(
    viewer: Actor, employee_id: str, deciders: Callable[[], frozenset[str]] = frozenset
) -> str | None:
    """None if the viewer sees all the employee's goals; a manager's id if only the goals they manage."""
    scope = rules.review_scope(viewer, employee_id, deciders)
    if scope is None:
        raise ReviewAccessDeniedError(f"{viewer.role} {viewer.id!r} may not see the review of {employee_id!r}")
    return scope.manager_id

"""The Goal aggregate: a SMART goal's life from draft to closure, as a stream of events.

Commands live in mixins by stage (goal_agreement, goal_tracking, goal_recalibration, goal_assignment; guards in
goal_guards); here are the events, drafting and closing. Public methods guard the rules; an event's `apply` only
changes state, because it runs again on every replay (a rule tightened later must never sit there). Topics are
explicit and stored strings are read through domain.stored, so renaming a class or a value never breaks them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import recalibration as recal
from domain import closure, rules, stored, validation
from domain.errors import (
    PermissionDeniedError,
)
from domain.goal_agreement import GoalAgreement
from domain.goal_assignment import GoalAssignment
from domain.goal_guards import by
from domain.goal_recalibration import GoalRecalibration
from domain.goal_tracking import GoalTracking
from domain.readings import CountedReadings
from domain.terms import GoalTerms
from domain.values import (
    Actor, Cycle, Measurement, Milestone, Outcome, Party, ProposedMilestone, RecalibrationStatus,
    Signature, Status,
)


class Goal(Aggregate, GoalAgreement, GoalTracking, GoalRecalibration, GoalAssignment):
    """One employee's goal for one review cycle."""

    TOPIC = "goalengine:Goal"
    class_version = 3  # snapshots: v2 holds GoalTerms and typed recalibrations; v3 counted readings, not the series
    upcast_v1_v2 = staticmethod(stored.goal_snapshot_v1_v2)
    upcast_v2_v3 = staticmethod(stored.goal_snapshot_v2_v3)

    class Event(Aggregate.Event):
        """Every event says who acted, in which role; the library stamps when."""

        TOPIC = "goalengine:Goal.Event"
        actor_id: str
        actor_role: str

    class Drafted(Aggregate.Created, Event):
        TOPIC = "goalengine:Goal.Drafted"
        cycle: dict[str, Any]
        owner_id: str
        manager_id: str
        org_unit: str | None
        title: str
        statement: str
        kpis: list[dict[str, Any]]
        deadline: date | None
        parent_goal_id: str | None
        rationale: str | None
        weight: Decimal

        def apply(self, goal: Goal) -> None:
            fields = {name: getattr(self, name) for name in GoalTerms.names()}
            kpis = tuple(stored.kpi(k) for k in self.kpis)
            goal.terms = goal.original_terms = GoalTerms.from_stored({**fields, "kpis": kpis})

    class Revised(Event):
        TOPIC = "goalengine:Goal.Revised"
        changes: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            changes = dict(self.changes)
            if "kpis" in changes:
                changes["kpis"] = [stored.kpi(k) for k in changes["kpis"]]
            goal.terms = goal.terms.revised(changes)
            goal.content_version = self.originator_version

    class SignatureVoided(Event):
        TOPIC = "goalengine:Goal.SignatureVoided"
        party: str
        signed_content_version: int
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.signatures.pop(stored.party(self.party), None)

    class AgreementSigned(Event):
        """Version 2 adds `read_version`: the goal version the signer said they read (None if they did not say)."""

        TOPIC = "goalengine:Goal.AgreementSigned"
        class_version = 2
        party: str
        content_version: int
        read_version: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Signatures stored before version 2 did not record which version the signer had read.
            state["read_version"] = None

        def apply(self, goal: Goal) -> None:
            party = stored.party(self.party)
            goal.signatures[party] = Signature(party, self.actor_id, self.content_version, self.timestamp,
                                               self.originator_version)

    class Agreed(Event):
        TOPIC = "goalengine:Goal.Agreed"
        content_version: int

        def apply(self, goal: Goal) -> None:
            goal.status = Status.AGREED
            goal.agreed_at = self.timestamp
            goal.agreed_version = self.originator_version
            goal.original_terms = goal.terms

    class MilestoneProposed(Event):
        """After agreement one party proposes a milestone; it holds once the other party sets the same one."""

        TOPIC = "goalengine:Goal.MilestoneProposed"
        milestone: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            milestone = stored.milestone(self.milestone)
            goal.proposed_milestones[milestone.id] = ProposedMilestone(milestone, self.actor_id)

    class MilestoneSet(Event):
        """On a draft a milestone is part of the terms both parties sign: they change here (ADR 0052). After
        agreement it holds once both parties set it, and the terms they signed stay as they were."""

        TOPIC = "goalengine:Goal.MilestoneSet"
        milestone: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            milestone = stored.milestone(self.milestone)
            if goal.status == Status.DRAFT:  # a state change, not a rule: every stored history still replays
                goal.content_version = self.originator_version
            goal.proposed_milestones.pop(milestone.id, None)
            merged = recal.merge_milestones(goal.milestones, [milestone], (), lambda m: m.id)
            goal.milestones = sorted(merged, key=lambda m: (m.due, m.kpi))

    class KpiRecorded(Event):
        TOPIC = "goalengine:Goal.KpiRecorded"
        kpi: str
        value: Decimal
        observed_at: date
        source: str
        note: str
        corrects_version: int | None

        def apply(self, goal: Goal) -> None:
            goal.readings.record(self.reading())

        def reading(self) -> Measurement:
            return Measurement(
                kpi=self.kpi, value=self.value, observed_at=self.observed_at, recorded_at=self.timestamp,
                source=self.source, note=self.note, recorded_by=self.actor_id, version=self.originator_version,
                corrects_version=self.corrects_version,
            )

    class RecalibrationProposed(Event):
        TOPIC = "goalengine:Goal.RecalibrationProposed"
        recalibration_id: str
        reason: str
        justification: str
        changes: dict[str, Any]
        before: dict[str, Any]
        after: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            goal.recalibrations.append(recal.Recalibration(
                id=self.recalibration_id, reason=stored.reason(self.reason), justification=self.justification,
                proposed_by=self.actor_id, proposer_role=stored.role(self.actor_role), proposed_at=self.timestamp,
                proposed_version=self.originator_version, changes=recal.Changes.from_stored(self.changes),
                before=recal.Side.from_stored(self.before), after=recal.Side.from_stored(self.after),
            ))

    class RecalibrationRejected(Event):
        TOPIC = "goalengine:Goal.RecalibrationRejected"
        recalibration_id: str
        note: str

        def apply(self, goal: Goal) -> None:
            goal.decide(self.recalibration_id, RecalibrationStatus.REJECTED, self)

    class Recalibrated(Event):
        TOPIC = "goalengine:Goal.Recalibrated"
        recalibration_id: str
        note: str
        before: dict[str, Any]
        after: dict[str, Any]

        def apply(self, goal: Goal) -> None:
            recalibration = goal.decide(self.recalibration_id, RecalibrationStatus.APPROVED, self)
            recalibration.before = recal.Side.from_stored(self.before)
            recalibration.after = recal.Side.from_stored(self.after)
            goal.put_in_force(recal.apply(goal.in_force(), recalibration.after, recalibration.changes.replaced()))

    class Closed(Event):
        TOPIC = "goalengine:Goal.Closed"
        outcome: str
        summary: str

        def apply(self, goal: Goal) -> None:
            goal.status, goal.outcome, goal.summary = Status.CLOSED, stored.outcome(self.outcome), self.summary
            goal.closed_at, goal.closed_by = self.timestamp, self.actor_id

    class CheckedIn(Event):
        """The owner or the manager checked in; it changes no state of the goal (the review projection keeps it)."""

        TOPIC = "goalengine:Goal.CheckedIn"
        status: str
        confidence: int
        note: str
        blockers: str
        next_steps: str

    class Reassigned(Event):
        """HR, or the directory (`follows` names its event, ADR 0035), moved the goal; who held it when is in the
        trail. Version 2 added `follows`: additive, so the published type stays goal.reassigned.v1."""

        TOPIC = "goalengine:Goal.Reassigned"
        CLOUDEVENT_TYPE = "goal.reassigned.v1"
        class_version = 2
        owner_id: str
        manager_id: str
        previous_owner_id: str
        previous_manager_id: str
        reason: str
        follows: str | None

        upcast_v1_v2 = staticmethod(stored.reassigned_v1_v2)

        def apply(self, goal: Goal) -> None:
            goal.owner_id, goal.manager_id = self.owner_id, self.manager_id
            # A milestone proposed by someone who no longer holds the goal lapses: the new holders agree afresh.
            goal.proposed_milestones = {key: proposal for key, proposal in goal.proposed_milestones.items()
                                        if proposal.proposed_by in (self.owner_id, self.manager_id)}

    class CarriedOver(Event):
        """HR carried the open goal over to a later cycle: it ends here (cancelled) and goes on as a new goal."""

        TOPIC = "goalengine:Goal.CarriedOver"
        to_cycle: str
        new_goal_id: str
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.status, goal.outcome, goal.closed_at, goal.closed_by = (
                Status.CLOSED, Outcome.CANCELLED, self.timestamp, self.actor_id)
            goal.summary = f"carried over to cycle {self.to_cycle}: {self.reason}"
            goal.carried_over_to = self.new_goal_id

    class CarriedIn(Event):
        """The goal continues one of an earlier cycle (drafted again, to be agreed again)."""

        TOPIC = "goalengine:Goal.CarriedIn"
        from_goal_id: str
        from_cycle: str
        reason: str

        def apply(self, goal: Goal) -> None:
            goal.carried_over_from = self.from_goal_id

    def __init__(self, cycle: dict[str, Any], owner_id: str, manager_id: str, actor_id: str) -> None:
        # The terms are set by Drafted.apply, which reads them from the event as one GoalTerms.
        self.cycle = stored.cycle(cycle)
        self.owner_id, self.manager_id, self.drafted_by = owner_id, manager_id, actor_id
        self.status = Status.DRAFT
        self.content_version = self.version
        self.signatures: dict[Party, Signature] = {}
        self.agreed_at: datetime | None = None
        self.agreed_version: int | None = None
        self.milestones: list[Milestone] = []
        self.proposed_milestones: dict[str, ProposedMilestone] = {}
        self.readings = CountedReadings()  # bounded: the series itself is read from the events (ADR 0028)
        self.recalibrations: list[recal.Recalibration] = []
        self.outcome: Outcome | None = None
        self.summary: str | None = None
        self.closed_at: datetime | None = None
        self.closed_by: str | None = None
        self.carried_over_to: str | None = None
        self.carried_over_from: str | None = None

    @classmethod
    def draft(cls, *, actor: Actor, cycle: Cycle, owner_id: str, manager_id: str, terms: GoalTerms,
              goal_id: UUID | None = None) -> Goal:
        """Draft a goal: the owner for themself, the manager for a report, or HR for anyone."""
        if not rules.may_draft(actor, owner_id, manager_id):
            raise PermissionDeniedError(f"{actor.role} {actor.id!r} may not draft a goal for owner {owner_id!r} and "
                                        f"manager {manager_id!r}", actor_id=actor.id)
        validation.require_parties(owner_id, manager_id)
        validation.require_cycle(cycle)
        terms.require_well_formed()
        return cls._create(cls.Drafted, id=goal_id or uuid4(), cycle=cycle.as_dict(), owner_id=owner_id,
                           manager_id=manager_id, **terms.to_stored(), **by(actor))

    def close(self, outcome: Outcome | str, summary: str, actor: Actor) -> None:
        """Close the goal with its outcome; a closed goal takes no further command."""
        self._require_open()
        outcome = closure.require_closable(self, outcome, summary, actor)
        self.trigger_event(self.Closed, outcome=str(outcome), summary=summary, **by(actor))

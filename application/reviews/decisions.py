"""ReviewDecisions: the review of one employee and cycle as an aggregate (domain/review.py) in the goals' log.

Its own module beside application/goals/service.py (projections/reviews.py is the read side: the computed view and its
justification). Every step loads the review, or opens it on the first step, and saves it with the one Goals
application, so its events share the goals' log, trail, signatures and feed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError

from application.errors import ConcurrentModificationError
from application.goals.service import RETRIES_WITHOUT_EXPECTED_VERSION
from application.store.idempotency import CommandResult
from application.goals.saving import save_at
from application.reviews.records import ReviewRecords
from application.goals.checks import find_cycle
from domain.cycle import Cycle
from domain.errors import ReviewCycleNotFoundError
from application.reviews.release import require_released
from domain.review import Review
from domain.review_rules import require_employee
from domain.review_values import DecisionBasis, review_id
from domain.values import Actor


class ReviewDecisions(ReviewRecords):
    """The manager's decision, the employee's self-assessment, acknowledgement and dispute, HR's resolution."""

    def decide(self, employee_id: str, cycle_id: str, actor: Actor, *, band: str, summary: str,
               override_reason: str | None, basis: DecisionBasis, idempotency_key: str | None = None) -> CommandResult:
        # The request alone: a retry with the same key replays the first decision even if the evidence moved since.
        payload = {"band": band, "summary": summary, "override_reason": override_reason}
        return self._step(employee_id, cycle_id, actor, "decide_review", payload, idempotency_key,
                          lambda review: review.decide(band, summary, override_reason, basis, actor),
                          Cycle.require_open_to_decisions)

    def assess_self(self, employee_id: str, cycle_id: str, actor: Actor, *, text: str,
                    idempotency_key: str | None = None) -> CommandResult:
        return self._step(employee_id, cycle_id, actor, "assess_self", {"text": text}, idempotency_key,
                          lambda review: review.assess_self(text, actor))

    def acknowledge(self, employee_id: str, cycle_id: str, actor: Actor, *,
                    idempotency_key: str | None = None) -> CommandResult:
        return self._step(employee_id, cycle_id, actor, "acknowledge_review", {}, idempotency_key,
                          lambda review: self._answering(review, actor).acknowledge(actor))

    def dispute(self, employee_id: str, cycle_id: str, actor: Actor, *, reason: str,
                idempotency_key: str | None = None) -> CommandResult:
        """The employee disputes the decision; the result's reference is the dispute's id."""
        return self._step(employee_id, cycle_id, actor, "dispute_review", {"reason": reason}, idempotency_key,
                          lambda review: self._answering(review, actor).raise_dispute(reason, actor))

    def resolve_dispute(self, employee_id: str, cycle_id: str, dispute_id: str, actor: Actor, *, outcome: str,
                        band: str | None, note: str, idempotency_key: str | None = None) -> CommandResult:
        payload = {"dispute_id": dispute_id, "outcome": outcome, "band": band, "note": note}
        return self._step(employee_id, cycle_id, actor, "resolve_dispute", payload, idempotency_key,
                          lambda review: review.resolve_dispute(dispute_id, outcome, band, note, actor))

    def cycle(self, cycle_id: str) -> Cycle:
        """The review's cycle as stored now; a cycle nobody opened has no reviews (404)."""
        cycle = find_cycle(self.goals.repository, cycle_id)
        if cycle is None:
            raise ReviewCycleNotFoundError(f"no review cycle {cycle_id!r}", cycle=cycle_id)
        return cycle

    def _answering(self, review: Review, actor: Actor) -> Review:
        """The employee answers a band they have seen: only once HR released the cycle's ratings (409 otherwise)."""
        require_employee(review, actor)
        require_released(self.goals.repository, review.cycle_id)
        return review

    def _step(self, employee_id: str, cycle_id: str, actor: Actor, name: str, payload: dict[str, Any],
              idempotency_key: str | None, act: Callable[[Review], object],
              cycle_allows: Callable[[Cycle], None] = Cycle.require_open_to_reviews) -> CommandResult:
        def execute() -> CommandResult:
            for attempt in range(1, RETRIES_WITHOUT_EXPECTED_VERSION + 1):
                cycle_allows(self.cycle(cycle_id))
                review = self.review(employee_id, cycle_id) or Review.open(employee_id, cycle_id, actor)
                reference = act(review)
                try:
                    position = save_at(self.goals, review)
                except IntegrityError:
                    if attempt == RETRIES_WITHOUT_EXPECTED_VERSION:
                        raise ConcurrentModificationError(
                            f"the review of {employee_id!r} for {cycle_id!r} changed meanwhile; read it and retry",
                            review_id=str(review.id)) from None
                    continue
                return CommandResult(str(review.id), review.version, reference if isinstance(reference, str) else None,
                                     position)
            raise AssertionError("unreachable")

        scope = {"review_id": str(review_id(employee_id, cycle_id)), **payload}
        return self.goals.once(actor, idempotency_key, name, scope, execute)




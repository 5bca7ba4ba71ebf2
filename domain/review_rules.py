"""The guards of the Review aggregate: who may take which step, in which stage, with which input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain import rules, validation
from domain.errors import (
    DisputeOpenError, FourEyesViolationError, InvalidGoalInputError, PermissionDeniedError, ReviewNotDecidedError,
    ReviewSettledError, UnknownDisputeError,
)
from domain.review_values import Decision, DecisionBasis, Dispute, ResolutionOutcome, Stage
from domain.values import Actor

if TYPE_CHECKING:
    from domain.review import Review

SETTLED = (Stage.ACKNOWLEDGED, Stage.RESOLVED)


def require_key(employee_id: str, cycle_id: str) -> None:
    validation.require_text("employee_id", employee_id, max_length=200)
    validation.require_text("cycle", cycle_id, max_length=200)


def require_open_to_change(review: Review) -> None:
    if review.stage in SETTLED:
        raise ReviewSettledError(f"the review of {review.employee_id!r} for {review.cycle_id!r} is {review.stage}; "
                                 "it takes no further step", stage=str(review.stage))
    if review.stage is Stage.DISPUTED:
        raise DisputeOpenError(f"dispute {review.disputes[-1].id!r} awaits HR's resolution",
                               dispute_id=review.disputes[-1].id)


def require_band_decidable(review: Review, band: str, summary: str, override_reason: str | None, basis: DecisionBasis,
                      actor: Actor) -> None:
    """Only the employee's manager decides, on a band of the policy's scale; an override names its reason."""
    if not rules.decides_the_review(actor, basis.goal_managers):
        managers = ", ".join(sorted(basis.goal_managers)) or "nobody"
        raise PermissionDeniedError(f"{actor.role} {actor.id!r} does not decide this review: the manager of "
                                    f"{review.employee_id!r}'s goals in {review.cycle_id!r} ({managers}) does",
                                    actor_id=actor.id)
    require_open_to_change(review)
    if band not in basis.bands:
        raise InvalidGoalInputError("band", f"{band!r} is not one of {', '.join(basis.bands)} "
                                            f"(policy {basis.policy_version})")
    validation.require_text("summary", summary)
    if band != basis.computed_band:
        computed = basis.computed_band or "no band (nothing to score)"
        if override_reason is None or not override_reason.strip():
            raise InvalidGoalInputError("override_reason", f"is required: {band!r} overrides the computed {computed}")
    validation.require_text("override_reason", override_reason, required=False)


def require_employee(review: Review, actor: Actor) -> None:
    if not rules.is_the_reviewed_employee(actor, review.employee_id):
        raise PermissionDeniedError(f"only {review.employee_id!r} takes this step in their review, not {actor.id!r}",
                                    actor_id=actor.id)


def require_self_assessment(review: Review, text: str, actor: Actor) -> None:
    require_employee(review, actor)
    if review.stage in SETTLED:
        require_open_to_change(review)
    validation.require_text("text", text)


def require_decided_for(review: Review, actor: Actor) -> Decision:
    """The employee answers a decision that stands and is not settled or disputed yet."""
    require_employee(review, actor)
    require_open_to_change(review)
    if review.decision is None:
        raise ReviewNotDecidedError(f"no band has been decided for {review.employee_id!r} in {review.cycle_id!r} yet")
    return review.decision


def require_reason(reason: str) -> None:
    validation.require_text("reason", reason)


def find_dispute(disputes: Sequence[Dispute], dispute_id: str) -> Dispute:
    found = next((d for d in disputes if d.id == dispute_id), None)
    if found is None:
        raise UnknownDisputeError(f"the review has no dispute {dispute_id!r}", dispute_id=dispute_id)
    return found


def require_resolvable(review: Review, dispute_id: str, outcome: ResolutionOutcome | str, band: str | None,
                       note: str, actor: Actor) -> tuple[ResolutionOutcome, str]:
    """The outcome and the band that stands after it, once HR (a second person) may resolve the open dispute."""
    dispute = find_dispute(review.disputes, dispute_id)
    if dispute.outcome is not None:
        raise ReviewSettledError(f"dispute {dispute_id!r} was resolved already ({dispute.outcome})",
                                 dispute_id=dispute_id)
    decision = review.decision
    assert decision is not None  # a dispute is raised against a decision
    if not rules.resolves_disputes(actor):
        raise PermissionDeniedError(f"only HR resolves a dispute, not {actor.role} {actor.id!r}", actor_id=actor.id)
    if not rules.resolver_is_a_second_person(actor, decision.decided_by, review.employee_id):
        raise FourEyesViolationError(f"{actor.id!r} decided this review or is its employee: a second person resolves "
                                     "the dispute", actor_id=actor.id)
    chosen = validation.choice(ResolutionOutcome, "outcome", outcome)
    return chosen, _resolved_band(chosen, band, note, decision)


def _resolved_band(outcome: ResolutionOutcome, band: str | None, note: str, decision: Decision) -> str:
    if outcome is ResolutionOutcome.UPHELD:
        if band is not None and band != decision.band:
            raise InvalidGoalInputError("band", f"an upheld decision keeps {decision.band!r}; send no band or that one")
        validation.require_text("note", note, required=False)
        return decision.band
    if band is None or band not in decision.bands:
        scale = ", ".join(decision.bands)
        raise InvalidGoalInputError("band", f"a changed decision names its new band, one of {scale}")
    if band == decision.band:
        raise InvalidGoalInputError("band", f"{band!r} is the band decided; a change names another (or uphold it)")
    validation.require_text("note", note)
    return band

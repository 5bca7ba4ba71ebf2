"""Domain errors. Each names the rule that was broken and the offending value.

`code` is stable and machine-readable (the API puts it in problem+json); the message is for people.
"""

from __future__ import annotations

from typing import Any


class GoalError(Exception):
    """Base of every rule the Goal aggregate enforces."""

    code = "goal_rule_broken"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class InvalidGoalInputError(GoalError):
    """A field is malformed (a shape error rather than a business rule): the caller must fix the input."""

    code = "invalid_input"

    def __init__(self, field: str, message: str, **context: Any) -> None:
        super().__init__(f"{field}: {message}", field=field, **context)
        self.field = field


class PermissionDeniedError(GoalError):
    code = "permission_denied"


class NotAPartyError(GoalError):
    code = "not_a_party"


class AlreadySignedError(GoalError):
    code = "already_signed"


class StaleVersionError(GoalError):
    code = "stale_version"


class SmartCheckFailedError(GoalError):
    code = "smart_check_failed"


class GoalNotDraftError(GoalError):
    code = "goal_not_draft"


class GoalNotAgreedError(GoalError):
    code = "goal_not_agreed"


class GoalClosedError(GoalError):
    code = "goal_closed"


class UnknownKpiError(GoalError):
    code = "unknown_kpi"


class MeasurementOutOfPeriodError(GoalError):
    code = "measurement_out_of_period"


class MeasurementInFutureError(GoalError):
    code = "measurement_in_future"


class MilestoneRuleError(GoalError):
    code = "milestone_invalid"


class MilestoneLockedError(GoalError):
    code = "milestone_locked"


class RecalibrationRuleError(GoalError):
    code = "recalibration_invalid"


class RecalibrationPendingError(GoalError):
    code = "recalibration_pending"


class UnknownRecalibrationError(GoalError):
    code = "unknown_recalibration"


class RecalibrationDecidedError(GoalError):
    code = "recalibration_decided"


class FourEyesViolationError(GoalError):
    code = "four_eyes_violation"


class TargetRuleError(GoalError):
    code = "target_invalid"


class ClosureRuleError(GoalError):
    code = "closure_invalid"


class DeadlineBeyondCycleError(GoalError):
    code = "deadline_beyond_cycle"


class DeadlinePassedError(GoalError):
    code = "deadline_passed"


class UnknownStoredValueError(GoalError):
    """A stored event holds a value the vocabulary does not know: replay stops loudly rather than guess."""

    code = "unknown_stored_value"


class ReviewNotDecidedError(GoalError):
    """The employee acknowledges or disputes a decision that has not been made yet."""

    code = "review_not_decided"


class ReviewSettledError(GoalError):
    """The review was acknowledged, or its dispute resolved: it takes no further step."""

    code = "review_settled"


class DisputeOpenError(GoalError):
    """A dispute awaits HR's resolution: the decision cannot change, nor be acknowledged, meanwhile."""

    code = "dispute_open"


class UnknownDisputeError(GoalError):
    code = "unknown_dispute"


class UnknownCycleError(GoalError):
    """A goal or an objective names a review cycle nobody opened."""

    code = "unknown_cycle"


class CycleExistsError(GoalError):
    code = "cycle_exists"


class CycleStateError(GoalError):
    """A cycle moves forward only: planning, active, review, locked."""

    code = "cycle_transition_invalid"


class CycleLockedError(GoalError):
    """The goal's review cycle is locked: its goals are frozen (reads and audits go on)."""

    code = "cycle_locked"


class CyclePeriodMismatchError(GoalError):
    """A draft sent a period for its cycle that differs from the cycle's own."""

    code = "cycle_period_mismatch"


class UnknownParentError(GoalError):
    """`aligned_to` names no objective and no goal."""

    code = "unknown_parent"


class AlignmentCycleError(GoalError):
    """Aligning the goal there would make goals aligned to each other in a circle."""

    code = "alignment_cycle"


class UnknownObjectiveError(GoalError):
    code = "objective_not_found"


class ReassignmentRuleError(GoalError):
    code = "reassignment_invalid"


class CarryOverRuleError(GoalError):
    code = "carry_over_invalid"


class CycleInPlanningError(GoalError):
    """The review cycle has not started: no review band is decided while it is still being planned."""

    code = "cycle_in_planning"


class CycleInReviewError(GoalError):
    """The goal's cycle is in review: its terms are what is being rated and no longer change."""

    code = "cycle_in_review"


class ReviewCycleNotFoundError(UnknownCycleError):
    """A review step names a cycle nobody opened (the cycle is part of the review's URL: 404)."""

    code = "cycle_not_found"


class NotReleasedError(GoalError):
    """The cycle's ratings are not released yet: the employee cannot acknowledge or dispute a band unseen."""

    code = "not_released"

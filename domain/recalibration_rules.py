"""The rules a recalibration keeps: what a proposal may change and when, and who decides it (ADR 0029).

Its values (what a proposal changes, the terms before and after, how they apply) are in domain/recalibration.py; the
Goal aggregate's commands (domain/goal_recalibration.py) call these guards before any event is triggered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date

from domain import rules, validation
from domain.errors import (
    DeadlineBeyondCycleError, DeadlinePassedError, FourEyesViolationError, InvalidGoalInputError, MilestoneRuleError,
    PermissionDeniedError, RecalibrationDecidedError, RecalibrationRuleError, UnknownKpiError,
)
from domain.recalibration import (
    MIN_DECISION_NOTE, MIN_JUSTIFICATION, Changes, InForce, Recalibration, TargetChange, apply, before_and_after,
)
from domain.values import Actor, Cycle, Direction, Kpi, Milestone, RecalibrationStatus


def require_justification(justification: str) -> None:
    """A recalibration says what changed in reality, in more than a word or two."""
    validation.require_text("justification", justification)
    if len(justification.strip()) < MIN_JUSTIFICATION:
        raise RecalibrationRuleError(
            f"justification {justification!r} is too short: say what changed in reality "
            f"(at least {MIN_JUSTIFICATION} characters)"
        )


def require_decision_note(note: str) -> None:
    """HR says why it approves or rejects a proposal, in more than a word or two (the trail's reason for it)."""
    validation.require_text("note", note)
    if len(note.strip()) < MIN_DECISION_NOTE:
        raise InvalidGoalInputError("note", f"{note.strip()!r} is too short: say why HR decides so "
                                            f"(at least {MIN_DECISION_NOTE} characters)")


def require_deadline_not_passed(deadline: date | None, today: date) -> None:
    """A goal whose deadline has passed is what it is: its terms are not eased (or tightened) afterwards."""
    if deadline is not None and deadline < today:
        raise DeadlinePassedError(
            f"the goal's deadline {deadline} has passed (today is {today}): its terms no longer change",
            deadline=str(deadline),
        )


def require_valid(changes: Changes, in_force: InForce, cycle: Cycle, today: date) -> None:
    """A proposal changes something, names whole targets that stay reachable, keeps the deadline inside the cycle
    and ahead of today, sets no milestone due in the past, and leaves every milestone fitting the terms it would put
    in force. A cancellation changes nothing else."""
    if changes.cancel:
        if not changes.is_empty():
            raise RecalibrationRuleError("a cancellation changes nothing else: propose targets, deadline or "
                                         "milestones, or the goal's cancellation alone")
        return
    if changes.is_empty():
        raise RecalibrationRuleError("a recalibration must change targets, the deadline or milestones, or cancel")
    kpis = {k.id: k for k in in_force.kpis}
    for kpi_id, change in changes.targets.items():
        kpis[kpi_id] = _require_target_change(_known_kpi(kpis, kpi_id), change)
    deadline = _require_deadline(changes.deadline, in_force.deadline, cycle, today)
    milestone_ids = {m.id for m in in_force.milestones}
    for index, move in enumerate(changes.milestones):
        if move.replaces is not None and move.replaces not in milestone_ids:
            raise InvalidGoalInputError(f"milestones[{index}].replaces", f"no milestone {move.replaces!r}")
        kpi = _known_kpi(kpis, move.milestone.kpi)
        validation.require_new_milestone_fits(move.milestone, kpi, cycle.start, deadline, today)
    require_milestones_fit_after(changes, in_force, cycle)


def _known_kpi(kpis: Mapping[str, Kpi], kpi_id: str) -> Kpi:
    if kpi_id not in kpis:
        raise UnknownKpiError(f"the goal has no KPI {kpi_id!r} (it has: {', '.join(kpis)})", kpi=kpi_id)
    return kpis[kpi_id]


def _require_target_change(kpi: Kpi, change: TargetChange) -> Kpi:
    if not change.names_every_bound_of(kpi.direction):
        wanted = "both low and high" if kpi.direction is Direction.RANGE else "a target"
        raise InvalidGoalInputError(f"targets.{kpi.id}", f"a {kpi.direction} KPI takes {wanted}")
    for name, value in change.given().items():
        validation.require_finite(f"targets.{kpi.id}.{name}", value)
    changed = change.applied_to(kpi)
    if changed == kpi:
        raise RecalibrationRuleError(f"KPI {kpi.id!r} already has those values", kpi=kpi.id)
    validation.require_reachable_target(changed)
    return changed


def _require_deadline(deadline: date | None, current: date | None, cycle: Cycle, today: date) -> date:
    if deadline is None:
        assert current is not None  # an agreed goal has a deadline
        return current
    if deadline == current:
        raise RecalibrationRuleError(f"the deadline is already {deadline}")
    if deadline < max(today, cycle.start):
        raise RecalibrationRuleError(f"new deadline {deadline} lies in the past or before the cycle")
    if deadline > cycle.end:
        raise DeadlineBeyondCycleError(
            f"new deadline {deadline} lies after the end of cycle {cycle.id!r} ({cycle.end})",
            deadline=str(deadline), cycle_end=str(cycle.end),
        )
    return deadline


def require_still_ahead(changes: Changes, today: date) -> None:
    """An approval puts no deadline and no milestone in force that has already passed (while the proposal waited)."""
    if changes.deadline is not None and changes.deadline < today:
        raise DeadlinePassedError(
            f"the proposed deadline {changes.deadline} has already passed (today is {today}); propose a new one",
            deadline=str(changes.deadline),
        )
    for move in changes.milestones:
        if move.milestone.due < today:
            raise MilestoneRuleError(f"milestone due {move.milestone.due} lies in the past (today is {today}); "
                                     "propose a new one", due=str(move.milestone.due))


def require_decidable(recalibration: Recalibration, actor: Actor, owner_id: str, manager_id: str) -> None:
    """Only HR decides a pending proposal, and never a party to the goal or the proposer (four eyes)."""
    if recalibration.status != RecalibrationStatus.PROPOSED:
        raise RecalibrationDecidedError(
            f"recalibration {recalibration.id!r} was already {recalibration.status}", recalibration_id=recalibration.id
        )
    if not rules.decides_recalibrations(actor):
        raise PermissionDeniedError(f"only HR decides recalibrations, not {actor.role} {actor.id!r}")
    if not rules.decider_is_a_second_person(actor.id, owner_id, manager_id, recalibration.proposed_by):
        who = {owner_id: "owner of the goal", manager_id: "manager of the goal"}.get(
            actor.id, "proposer of the recalibration")
        raise FourEyesViolationError(f"{actor.id!r} is the {who}: a second person from HR must decide",
                                     actor_id=actor.id)


def require_milestones_fit_after(changes: Changes, in_force: InForce, cycle: Cycle) -> None:
    """Milestones already set, and not replaced, must fit the terms the proposal would put in force."""
    after = apply(in_force, before_and_after(in_force, changes)[1], changes.replaced())
    require_milestones_fit(in_force.milestones, after.kpis, after.deadline, cycle.start, changes.spared())


def require_milestones_fit(milestones: Iterable[Milestone], kpis: Iterable[Kpi], deadline: date | None,
                           period_start: date, spared: Collection[str] = ()) -> None:
    """Milestones already set must still fit the terms a revision or recalibration would put in force."""
    by_id = {k.id: k for k in kpis}
    for milestone in milestones:
        if milestone.id in spared:
            continue
        kpi = by_id.get(milestone.kpi)
        if kpi is None or deadline is None:
            lost = f"KPI {milestone.kpi!r}" if kpi is None else "deadline"
            raise MilestoneRuleError(f"milestone {milestone.id!r} would lose its {lost}", milestone_id=milestone.id)
        try:
            validation.require_milestone_fits(milestone, kpi, period_start, deadline)
        except MilestoneRuleError as unfit:
            raise MilestoneRuleError(
                f"milestone {milestone.id!r} would no longer fit: {unfit.message}", milestone_id=milestone.id
            ) from None

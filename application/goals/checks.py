"""What a goal command checks beyond the goal itself: its review cycle (exists, same period, not locked) and the
objective or goal it aligns to (exists, no circle).

Cycles are few and read on every goal command, so they come from the repository's per-process cache, which the
library fast-forwards with the events stored after the cached version (one indexed query): a lock committed by
another process is seen by the next command here (ADR 0023).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository

from domain.cycle import Cycle as CycleAggregate, cycle_uuid
from domain.errors import AlignmentCycleError, CyclePeriodMismatchError, UnknownCycleError, UnknownParentError
from domain.goal import Goal
from domain.objective import Objective
from domain import rules
from domain.values import Actor, Cycle

# Longest chain of goals aligned to goals that is followed looking for a circle (a tree deeper than this is refused).
MAX_ALIGNMENT_DEPTH = 50


def find_cycle(repository: Repository[UUID], cycle_id: str) -> CycleAggregate | None:
    """The cycle with this id as stored now (cached, fast-forwarded), or None if nobody opened it."""
    try:
        cycle: object = repository.get(cycle_uuid(cycle_id), deepcopy_from_cache=False)
    except AggregateNotFoundError:
        return None
    assert isinstance(cycle, CycleAggregate)
    return cycle


def cycle_period(repository: Repository[UUID], cycle_id: str, sent: Cycle | None = None) -> Cycle:
    """The period of an existing, unlocked cycle; a period sent with its id must be the cycle's own."""
    cycle = find_cycle(repository, cycle_id)
    if cycle is None:
        raise UnknownCycleError(f"no review cycle {cycle_id!r}: HR opens it first (POST /cycles)", cycle=cycle_id)
    cycle.require_unlocked()
    if sent is not None and (sent.start, sent.end) != (cycle.start, cycle.end):
        raise CyclePeriodMismatchError(
            f"cycle {cycle_id!r} runs from {cycle.start} to {cycle.end}, not {sent.start} to {sent.end}; "
            "send the cycle's id alone", cycle=cycle_id, start=cycle.start.isoformat(), end=cycle.end.isoformat())
    return cycle.period


def require_cycle_unlocked(repository: Repository[UUID], cycle_id: str,
                           allows: Callable[[CycleAggregate], None] = CycleAggregate.require_unlocked) -> None:
    """Refuse a command on a goal whose cycle is locked (goals of cycles never opened as aggregates are not), or
    whose cycle does not allow it otherwise (`allows`: a recalibration, once the cycle is in review, ADR 0029)."""
    cycle = find_cycle(repository, cycle_id)
    if cycle is not None:
        allows(cycle)


def require_alignment(repository: Repository[UUID], aligned_to: str | None, goal_id: UUID | None = None, *,
                      viewer: Actor | None = None) -> None:
    """`aligned_to` names an objective or a goal that exists, and following it never leads back to this goal.

    A goal the viewer may not see is answered exactly like one that does not exist (same error, same words), so
    that `aligned_to` tells nobody which goals exist (ADR 0029).
    """
    if aligned_to is None:
        return
    seen: set[UUID] = set() if goal_id is None else {goal_id}
    target: str | None = aligned_to
    for _ in range(MAX_ALIGNMENT_DEPTH):
        if target is None:
            return
        parent = _aggregate(repository, target)
        if target == aligned_to and viewer is not None and isinstance(parent, Goal) and not rules.may_see(
                viewer, parent.owner_id, parent.manager_id):
            parent = None
        if parent is None and target != aligned_to:
            return  # a goal higher up still names free text from before links were checked: the walk ends there
        if parent is None:
            raise UnknownParentError(f"aligned_to {target!r} names no objective and no goal", aligned_to=target)
        if isinstance(parent, Objective):
            return
        if parent.id in seen:
            raise AlignmentCycleError(f"aligning to {aligned_to!r} would align goals to each other in a circle",
                                      aligned_to=aligned_to)
        seen.add(parent.id)
        target = parent.parent_goal_id
    raise AlignmentCycleError(f"the goals aligned above {aligned_to!r} run deeper than {MAX_ALIGNMENT_DEPTH}",
                              aligned_to=aligned_to)


def _aggregate(repository: Repository[UUID], reference: str) -> Goal | Objective | None:
    try:
        found: object = repository.get(UUID(reference), deepcopy_from_cache=False)
    except (ValueError, AggregateNotFoundError):
        return None
    return found if isinstance(found, Goal | Objective) else None

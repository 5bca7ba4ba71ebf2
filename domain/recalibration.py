"""Recalibration terms, typed: what a proposal changes, the terms before and after it, and how they apply.

Stored events keep their original JSON shape (`changes`, `before`, `after` as plain dicts); `from_stored` reads
both the typed values an event carries and the JSON strings the read side sees, so every reader (aggregate, review
state, fairness facts, history, justification) applies a recalibration through the same functions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from domain import rules, validation
from domain.errors import (
    DeadlineBeyondCycleError, DeadlinePassedError, FourEyesViolationError, InvalidGoalInputError, MilestoneRuleError,
    PermissionDeniedError, RecalibrationDecidedError, RecalibrationRuleError, UnknownKpiError,
)
from domain.values import Actor, Cycle, Direction, Kpi, Milestone, ReasonCategory, RecalibrationStatus, Role

BOUNDS = ("target", "low", "high")
T = TypeVar("T")


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _either(new: Decimal | None, old: Decimal | None) -> Decimal | None:
    return old if new is None else new


def _milestone(data: Mapping[str, Any]) -> Milestone:
    due, target = _date(data["due"]), _decimal(data["target"])
    assert due is not None and target is not None
    return Milestone(id=str(data["id"]), kpi=str(data["kpi"]), due=due, target=target)


@dataclass(frozen=True)
class TargetChange:
    """The goal values a recalibration sets for one KPI: a target, or a range's bounds."""

    target: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @classmethod
    def from_stored(cls, values: Mapping[str, Any]) -> TargetChange:
        return cls(**{name: _decimal(values.get(name)) for name in BOUNDS})

    def given(self) -> dict[str, Decimal]:
        """Only the values this change names (a stored range change may name one bound only)."""
        return {name: value for name in BOUNDS if (value := getattr(self, name)) is not None}

    def names_every_bound_of(self, direction: Direction) -> bool:
        wanted = {"low", "high"} if direction is Direction.RANGE else {"target"}
        return set(self.given()) == wanted

    def applied_to(self, kpi: Kpi) -> Kpi:
        return replace(kpi, target=_either(self.target, kpi.target), low=_either(self.low, kpi.low),
                       high=_either(self.high, kpi.high))


@dataclass(frozen=True)
class MilestoneMove:
    """A milestone a proposal sets, and the one it replaces (if any)."""

    milestone: Milestone
    replaces: str | None = None


@dataclass(frozen=True)
class Changes:
    """What a proposal asks to change."""

    targets: Mapping[str, TargetChange]
    deadline: date | None
    milestones: tuple[MilestoneMove, ...]

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            targets={k: TargetChange.from_stored(v) for k, v in data["targets"].items()},
            deadline=_date(data["deadline"]),
            milestones=tuple(MilestoneMove(_milestone(m), m.get("replaces")) for m in data["milestones"]),
        )

    @classmethod
    def proposed(cls, targets: Mapping[str, Mapping[str, Decimal]] | None, deadline: date | None,
                 milestones: Sequence[Mapping[str, Any]]) -> Changes:
        """A caller's proposal, read into typed changes; a milestone missing a field is named by its index."""
        moves = []
        for index, spec in enumerate(milestones):
            missing = [name for name in ("kpi", "due", "target") if spec.get(name) is None]
            if missing:
                raise InvalidGoalInputError(f"milestones[{index}].{missing[0]}", "is required")
            milestone = Milestone(f"{spec['kpi']}@{spec['due'].isoformat()}", spec["kpi"], spec["due"], spec["target"])
            moves.append(MilestoneMove(milestone, spec.get("replaces")))
        for kpi_id, values in (targets or {}).items():
            unknown = sorted(set(values) - set(BOUNDS))
            if unknown or not values:
                given = unknown or "nothing"
                raise InvalidGoalInputError(f"targets.{kpi_id}", f"takes {' or '.join(BOUNDS)}, not {given}")
        return cls({k: TargetChange(**dict(v)) for k, v in (targets or {}).items()}, deadline, tuple(moves))

    def to_stored(self) -> dict[str, Any]:
        return {
            "targets": {k: v.given() for k, v in self.targets.items()},
            "deadline": self.deadline,
            "milestones": [{**m.milestone.as_dict(), "replaces": m.replaces} for m in self.milestones],
        }

    def is_empty(self) -> bool:
        return not self.targets and self.deadline is None and not self.milestones

    def replaced(self) -> set[str]:
        return {m.replaces for m in self.milestones if m.replaces}

    def spared(self) -> set[str]:
        """Milestones this proposal replaces or sets anew: the old ones need not fit the new terms."""
        return self.replaced() | {m.milestone.id for m in self.milestones}


@dataclass(frozen=True)
class Side:
    """The terms a proposal touches, as they stand before it, or as they would stand after it."""

    targets: Mapping[str, TargetChange]
    deadline: date | None
    milestones: tuple[Milestone | None, ...]

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Side:
        return cls(
            targets={k: TargetChange.from_stored(v) for k, v in data["targets"].items()},
            deadline=_date(data["deadline"]),
            milestones=tuple(_milestone(m) if m else None for m in data["milestones"]),
        )

    def to_stored(self) -> dict[str, Any]:
        return {
            "targets": {k: v.given() for k, v in self.targets.items()},
            "deadline": self.deadline,
            "milestones": [m.as_dict() if m else None for m in self.milestones],
        }


@dataclass(frozen=True)
class InForce:
    """The terms a recalibration can change, as they are in force."""

    kpis: tuple[Kpi, ...]
    deadline: date | None
    milestones: tuple[Milestone, ...]


def before_and_after(in_force: InForce, changes: Changes) -> tuple[Side, Side]:
    """The touched terms as they stand now and as the proposal would leave them."""
    kpis = {k.id: k for k in in_force.kpis}
    by_id = {m.id: m for m in in_force.milestones}
    before = Side(
        targets={k: TargetChange.from_stored({n: getattr(kpis[k], n) for n in c.given()})
                 for k, c in changes.targets.items()},
        deadline=in_force.deadline if changes.deadline is not None else None,
        milestones=tuple(by_id.get(m.replaces or m.milestone.id) for m in changes.milestones),
    )
    after = Side(dict(changes.targets), changes.deadline, tuple(m.milestone for m in changes.milestones))
    return before, after


def apply(in_force: InForce, after: Side, replaced: Collection[str]) -> InForce:
    """The terms in force once a recalibration with these `after` terms is approved."""
    kpis = tuple(after.targets[k.id].applied_to(k) if k.id in after.targets else k for k in in_force.kpis)
    milestones = merge_milestones(in_force.milestones, [m for m in after.milestones if m], replaced, lambda m: m.id)
    return InForce(kpis, after.deadline or in_force.deadline, tuple(sorted(milestones, key=lambda m: (m.due, m.kpi))))


def merge_milestones(current: Iterable[T], added: Sequence[T], replaced: Collection[str],
                     id_of: Callable[[T], str]) -> list[T]:
    """Milestones after some are set anew (replacing any of the same id) and others replaced."""
    added_ids = {id_of(m) for m in added}
    return [m for m in current if id_of(m) not in replaced and id_of(m) not in added_ids] + list(added)


@dataclass
class Recalibration:
    """A proposed change to targets, deadline or milestones, decided by HR under the four-eyes rule."""

    id: str
    reason: ReasonCategory
    justification: str
    proposed_by: str
    proposer_role: Role
    proposed_at: datetime
    proposed_version: int
    changes: Changes
    before: Side
    after: Side
    status: RecalibrationStatus = RecalibrationStatus.PROPOSED
    decided_by: str | None = None
    decided_at: datetime | None = None
    decided_version: int | None = None
    note: str = field(default="")

    def decided(self, status: RecalibrationStatus, by: str, at: datetime, version: int, note: str) -> None:
        self.status, self.decided_by, self.decided_at, self.decided_version, self.note = status, by, at, version, note


MIN_JUSTIFICATION = 10
MIN_DECISION_NOTE = 10


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


def require_valid(changes: Changes, in_force: InForce, cycle: Cycle, today: date) -> None:
    """A proposal changes something, names whole targets that stay reachable, keeps the deadline inside the cycle
    and ahead of today, and leaves every milestone fitting the terms it would put in force."""
    if changes.is_empty():
        raise RecalibrationRuleError("a recalibration must change targets, the deadline or milestones")
    kpis = {k.id: k for k in in_force.kpis}
    for kpi_id, change in changes.targets.items():
        kpis[kpi_id] = _require_target_change(_known_kpi(kpis, kpi_id), change)
    deadline = _require_deadline(changes.deadline, in_force.deadline, cycle, today)
    milestone_ids = {m.id for m in in_force.milestones}
    for index, move in enumerate(changes.milestones):
        if move.replaces is not None and move.replaces not in milestone_ids:
            raise InvalidGoalInputError(f"milestones[{index}].replaces", f"no milestone {move.replaces!r}")
        kpi = _known_kpi(kpis, move.milestone.kpi)
        validation.require_milestone_fits(move.milestone, kpi, cycle.start, deadline)
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


def require_deadline_still_ahead(changes: Changes, today: date) -> None:
    """An approval puts no deadline in force that has already passed."""
    if changes.deadline is not None and changes.deadline < today:
        raise DeadlinePassedError(
            f"the proposed deadline {changes.deadline} has already passed (today is {today}); propose a new one",
            deadline=str(changes.deadline),
        )


def require_decidable(recalibration: Recalibration, actor: Actor, owner_id: str, manager_id: str) -> None:
    """Only HR decides a pending proposal, and never a party to the goal or the proposer (four eyes)."""
    if recalibration.status != RecalibrationStatus.PROPOSED:
        raise RecalibrationDecidedError(
            f"recalibration {recalibration.id!r} was already {recalibration.status}", recalibration_id=recalibration.id
        )
    if actor.role is not Role.HR:
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

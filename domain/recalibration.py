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

from domain.errors import InvalidGoalInputError
from domain.values import Direction, Kpi, Milestone, ReasonCategory, RecalibrationStatus, Role

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
    """What a proposal asks to change: targets, deadline and milestones, or the goal's cancellation (ADR 0029)."""

    targets: Mapping[str, TargetChange]
    deadline: date | None
    milestones: tuple[MilestoneMove, ...]
    cancel: bool = False

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            targets={k: TargetChange.from_stored(v) for k, v in data["targets"].items()},
            deadline=_date(data["deadline"]),
            milestones=tuple(MilestoneMove(_milestone(m), m.get("replaces")) for m in data["milestones"]),
            cancel=data.get("cancel") is True,  # proposals stored before cancellations were recalibrations: False
        )

    @classmethod
    def cancellation(cls) -> Changes:
        """A proposal to cancel the agreed goal: HR decides it like any recalibration, and the goal closes."""
        return cls({}, None, (), cancel=True)

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
        stored = {
            "targets": {k: v.given() for k, v in self.targets.items()},
            "deadline": self.deadline,
            "milestones": [{**m.milestone.as_dict(), "replaces": m.replaces} for m in self.milestones],
        }
        return {**stored, "cancel": True} if self.cancel else stored  # the shape stored before, unless cancelling

    def is_empty(self) -> bool:
        """Changes no term (a cancellation changes none either)."""
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

    @property
    def cancels(self) -> bool:
        """The proposal cancels the agreed goal."""
        return self.changes.cancel

    def decided(self, status: RecalibrationStatus, by: str, at: datetime, version: int, note: str) -> None:
        self.status, self.decided_by, self.decided_at, self.decided_version, self.note = status, by, at, version, note


MIN_JUSTIFICATION = 10  # characters, once white space is stripped: what changed in reality, in more than a word
MIN_DECISION_NOTE = 10  # characters, likewise: why HR approves or rejects

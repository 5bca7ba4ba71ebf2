"""Stored strings, read through an explicit vocabulary rather than today's enum values.

An event written years ago says "partially_achieved" or "external_factor"; the vocabulary below maps each string
ever stored to the member that means it now. Renaming a member, or its value, leaves these strings alone; a value
retired or renamed later is kept working with `register_renamed_value`, as `register_topic` keeps moved classes
loading. A string the vocabulary does not know stops replay loudly instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from domain.errors import UnknownStoredValueError
from domain.values import (
    Cadence, Cycle, Direction, Kpi, Milestone, Outcome, Party, ReasonCategory, RecalibrationStatus, Role, Status,
)

E = TypeVar("E", bound=StrEnum)

VOCABULARY: dict[type[StrEnum], dict[str, StrEnum]] = {
    Role: {"employee": Role.EMPLOYEE, "manager": Role.MANAGER, "hr": Role.HR, "auditor": Role.AUDITOR,
           "service": Role.SERVICE,
           "equality_analyst": Role.EQUALITY_ANALYST},
    Direction: {"increase": Direction.INCREASE, "decrease": Direction.DECREASE, "range": Direction.RANGE},
    Cadence: {"weekly": Cadence.WEEKLY, "monthly": Cadence.MONTHLY, "quarterly": Cadence.QUARTERLY},
    Status: {"draft": Status.DRAFT, "agreed": Status.AGREED, "closed": Status.CLOSED},
    Outcome: {"achieved": Outcome.ACHIEVED, "partially_achieved": Outcome.PARTIALLY_ACHIEVED,
              "missed": Outcome.MISSED, "cancelled": Outcome.CANCELLED},
    ReasonCategory: {"external_factor": ReasonCategory.EXTERNAL_FACTOR, "role_change": ReasonCategory.ROLE_CHANGE,
                     "priority_shift": ReasonCategory.PRIORITY_SHIFT, "resourcing": ReasonCategory.RESOURCING,
                     "data_correction": ReasonCategory.DATA_CORRECTION, "other": ReasonCategory.OTHER,
                     "leave_or_adjustment": ReasonCategory.LEAVE_OR_ADJUSTMENT},
    Party: {"owner": Party.OWNER, "manager": Party.MANAGER},
    RecalibrationStatus: {"proposed": RecalibrationStatus.PROPOSED, "approved": RecalibrationStatus.APPROVED,
                          "rejected": RecalibrationStatus.REJECTED},
}


def register_renamed_value(kind: type[E], stored: str, member: E) -> None:
    """Keep events that stored `stored` loading after the value was renamed or retired in favour of `member`."""
    VOCABULARY[kind][stored] = member


def read(kind: type[E], text: str) -> E:
    """The member a stored string means."""
    try:
        member = VOCABULARY[kind][text]
    except KeyError:
        raise UnknownStoredValueError(f"stored {kind.__name__} {text!r} is not in the vocabulary", value=text) from None
    assert isinstance(member, kind)
    return member


def role(text: str) -> Role:
    return read(Role, text)


def party(text: str) -> Party:
    return read(Party, text)


def reason(text: str) -> ReasonCategory:
    return read(ReasonCategory, text)


def outcome(text: str) -> Outcome:
    return read(Outcome, text)


def cycle(data: Mapping[str, Any]) -> Cycle:
    return Cycle(id=data["id"], start=data["start"], end=data["end"])


def kpi(data: Mapping[str, Any]) -> Kpi:
    return Kpi(
        id=data["id"], name=data["name"], unit=data["unit"], direction=read(Direction, data["direction"]),
        baseline=data["baseline"], cadence=read(Cadence, data["cadence"]), target=data.get("target"),
        low=data.get("low"), high=data.get("high"),
    )


def milestone(data: Mapping[str, Any]) -> Milestone:
    return Milestone(id=data["id"], kpi=data["kpi"], due=data["due"], target=data["target"])


TERM_FIELDS = ("title", "statement", "kpis", "deadline", "weight", "org_unit", "parent_goal_id", "rationale")


def goal_snapshot_v1_v2(state: dict[str, Any]) -> None:
    """A goal snapshot from before GoalTerms and typed recalibrations, brought to today's shape in place."""
    from domain import recalibration as recal
    from domain.terms import GoalTerms

    terms = {name: state.pop(name) for name in TERM_FIELDS}
    state["terms"] = GoalTerms.from_stored({**terms, "kpis": tuple(terms["kpis"])})
    original = {**terms, "kpis": tuple(state.pop("original_kpis")), "deadline": state.pop("original_deadline")}
    state["original_terms"] = GoalTerms.from_stored(original)
    state.setdefault("proposed_milestones", {})
    for recalibration in state["recalibrations"]:
        recalibration.changes = recal.Changes.from_stored(recalibration.changes)
        recalibration.before = recal.Side.from_stored(recalibration.before)
        recalibration.after = recal.Side.from_stored(recalibration.after)


def goal_snapshot_v2_v3(state: dict[str, Any]) -> None:
    """A goal snapshot that held every reading, brought down to what the rules keep of them (ADR 0028)."""
    from domain.readings import CountedReadings

    state["readings"] = CountedReadings.of(state.pop("measurements"))


def reassigned_v1_v2(state: dict[str, Any]) -> None:
    """A reassignment stored before the directory followed none of its events (ADR 0035)."""
    state["follows"] = None

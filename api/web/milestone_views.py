"""The goal page's milestones in words: those in force (met, missed or upcoming) and those one party proposed after
agreement, which hold once the other party sets the same one (domain/goal_tracking.py set_milestone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from api.web.timeline import long_day
from api.web.views import amount
from domain.goal import Goal
from domain.values import Actor, Kpi

STATUS_WORDS = {"met": "met", "missed": "missed", "pending": "upcoming"}


@dataclass(frozen=True)
class ShownMilestone:
    kpi: str
    due: str
    target: str
    status: str
    said: str


@dataclass(frozen=True)
class Proposal:
    """A proposal in words, and what the form that sets it too posts."""

    sentence: str
    waiting: str
    confirmable: bool
    kpi: str
    due: str
    target: str


def quantity(value: Any, kpi: Kpi | None) -> str:
    """17 tickets/day, 90%: a value with its KPI's unit."""
    return with_unit(value, kpi.unit if kpi else "")


def with_unit(value: Any, unit: str) -> str:
    """17 tickets/day, 90%: a value with a unit (a percent sign sticks to the number)."""
    return f"{amount(value)}{'' if unit in ('', '%') else ' '}{unit}"


def kpis_by_id(goal: Goal) -> dict[str, Kpi]:
    return {k.id: k for k in goal.kpis}


def milestone_words(review: dict[str, Any] | None) -> dict[str, str]:
    """Each milestone in force by its id: met, missed or upcoming, as the review judges it on its day."""
    return {m["id"]: STATUS_WORDS.get(m["status"], "upcoming") for m in (review or {}).get("milestones", [])}


def milestones_in_force(goal: Goal, review: dict[str, Any] | None, year: int) -> list[ShownMilestone]:
    """Each milestone in force, with the review's status for it (met or missed by its due day's reading)."""
    kpis = kpis_by_id(goal)
    statuses = {m["id"]: m for m in (review or {}).get("milestones", [])}
    shown = []
    for milestone in goal.milestones:
        kpi, status = kpis.get(milestone.kpi), statuses.get(milestone.id, {})
        word = STATUS_WORDS.get(status.get("status", "pending"), "upcoming")
        reading = status.get("reading")
        said = word if reading is None or word == "upcoming" else f"{word} (reading {quantity(reading, kpi)})"
        shown.append(ShownMilestone(kpi.name if kpi else milestone.kpi, long_day(milestone.due, year),
                                    quantity(milestone.target, kpi), word, said))
    return shown


def proposals(goal: Goal, actor: Actor, name_of: Callable[[str], str], year: int) -> list[Proposal]:
    """Milestones proposed and not set yet; the other party (never the proposer) may set each too."""
    kpis, shown = kpis_by_id(goal), []
    for proposal in goal.proposed_milestones.values():
        milestone, by = proposal.milestone, proposal.proposed_by
        kpi = kpis.get(milestone.kpi)
        other = goal.manager_id if by == goal.owner_id else goal.owner_id
        sentence = (f"{name_of(by)} proposed: {kpi.name if kpi else milestone.kpi} at "
                    f"{quantity(milestone.target, kpi)} by {long_day(milestone.due, year)}")
        confirmable = actor.id == other and goal.party_of(actor) is not None
        waiting = "It holds once you set it too." if confirmable else f"It holds once {name_of(other)} sets it too."
        shown.append(Proposal(sentence, waiting, confirmable, milestone.kpi, milestone.due.isoformat(),
                              amount(milestone.target)))
    return sorted(shown, key=lambda p: (p.due, p.kpi))


def proposed_already(goal: Goal, actor: Actor, kpi: str, due: date, target: Decimal) -> bool:
    """Whether this person proposed this very milestone already (setting it again would not make it hold)."""
    proposal = goal.proposed_milestones.get(f"{kpi}@{due.isoformat()}")
    return (proposal is not None and proposal.proposed_by == actor.id
            and (proposal.milestone.kpi, proposal.milestone.due, proposal.milestone.target) == (kpi, due, target))

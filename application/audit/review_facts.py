"""The facts of review decisions and of closures, folded from the event log for the fairness report (ADR 0025).

Only reads events. A review's standing decision is its last DecisionRecorded (HR's change on a dispute is kept
beside it); a closure as "achieved" is checked against the readings and the targets in force when it closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from application.audit.recalibration_facts import TOPICS as RECALIBRATION_TOPICS
from application.audit.recalibration_facts import GoalFacts, collect_facts, event_id
from application.goals.service import LoggedEvent
from domain.goal import Goal
from domain.review import Review
from domain.values import Outcome, counted_readings

TOPICS = (*RECALIBRATION_TOPICS, Goal.KpiRecorded.TOPIC, Goal.Closed.TOPIC,
          *(cls.TOPIC for cls in (Review.Opened, Review.DecisionRecorded, Review.Disputed, Review.DisputeResolved)))


@dataclass
class ReviewFacts:
    review_id: str
    employee_id: str
    cycle_id: str
    decision: Review.DecisionRecorded | None = None
    changed_band: tuple[str, str] | None = None  # HR's new band on a dispute, and that event's id
    disputes: list[str] = field(default_factory=list)


@dataclass
class Readings:
    values: list[tuple[str, date, Decimal, str]] = field(default_factory=list)  # kpi, observed, value, event id
    closed: Goal.Closed | None = None


@dataclass(frozen=True)
class LogFacts:
    goals: dict[str, GoalFacts]
    reviews: dict[str, ReviewFacts]
    readings: dict[str, Readings]


def collect(logged: Iterable[LoggedEvent]) -> LogFacts:
    """One pass over the events: the goals' recalibration facts, their readings and closure, and the reviews."""
    events = list(logged)
    readings: dict[str, Readings] = {}
    reviews: dict[str, ReviewFacts] = {}
    for item in events:
        event = item.event
        if isinstance(event, Goal.KpiRecorded):
            readings.setdefault(str(event.originator_id), Readings()).values.append(
                (event.kpi, event.observed_at, event.value, event_id(event)))
        elif isinstance(event, Goal.Closed):
            readings.setdefault(str(event.originator_id), Readings()).closed = event
        elif isinstance(event, Review.Event):
            review_step(reviews, event)
    return LogFacts(collect_facts(events), reviews, readings)


def review_step(reviews: dict[str, ReviewFacts], event: Review.Event) -> None:
    key = str(event.originator_id)
    if isinstance(event, Review.Opened):
        reviews[key] = ReviewFacts(key, event.employee_id, event.cycle_id)
        return
    facts = reviews[key]
    if isinstance(event, Review.DecisionRecorded):
        facts.decision = event
    elif isinstance(event, Review.Disputed):
        facts.disputes.append(f"{key}:{event.originator_version}")
    elif isinstance(event, Review.DisputeResolved) and event.outcome == "changed":
        facts.changed_band = (event.band, f"{key}:{event.originator_version}")


def unsupported_achievement(goal: GoalFacts, readings: Readings) -> list[dict[str, object]]:
    """Why a goal closed "achieved" is not borne out by its data: a KPI without a reading, or whose last reading
    falls short of the target (or outside the range) in force at closure. Empty when the data supports it."""
    closed = readings.closed
    if closed is None or closed.outcome != str(Outcome.ACHIEVED):
        return []
    counted = counted_readings(readings.values, lambda r: (r[0], r[1]))
    found: list[dict[str, object]] = []
    for kpi in goal.kpis.values():
        mine = sorted((r for (kpi_id, _), r in counted.items() if kpi_id == kpi.id), key=lambda r: r[1])
        if not mine:
            found.append({"kpi": kpi.id, "why": "no_reading", "reading": None, "evidence": [event_id(closed)]})
        elif not kpi.is_reached_by(mine[-1][2]):
            found.append({"kpi": kpi.id, "why": "short_of_target", "reading": str(mine[-1][2]),
                          "evidence": [mine[-1][3], event_id(closed)]})
    return found


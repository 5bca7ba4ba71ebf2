"""HR's overview of one review cycle: how far each employee's goals and review have come, and the bands.

Per employee (every owner of a goal in the cycle): their goals agreed, how many of those still tracked have their
readings up to date (no reading overdue by its KPI's cadence, the early warnings' own rule), their review's stage,
the score and band computed now (the rating justification's) and the band decided (and the final one, where HR
changed it on a dispute). Read from the review read model and the reviews themselves; nothing here writes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select

from application.reviews.records import ReviewRecords
from projections.notices.evaluation import overdue_reading
from projections.review.justification import rating_justification
from projections.review.scoring import ScoringPolicy
from projections.review.state import State
from projections.tables import goal_reviews

Grouping = Callable[["EmployeeRow"], str]


@dataclass(frozen=True)
class EmployeeRow:
    """One employee's cycle: goals, readings, the review's steps, and bands computed and decided."""

    employee_id: str
    manager_id: str
    org_unit: str
    goals: int
    agreed: int
    tracked: int  # goals agreed and not closed: those whose readings must keep up
    up_to_date: int
    self_assessed: bool
    stage: str
    score: float | None
    computed_band: str | None
    decided_band: str | None
    final_band: str | None
    decided_against: str | None  # the band computed when the decision was made
    override_direction: str | None
    override_reason: str | None
    disputed: bool


@dataclass
class Completion:
    """How far a group of employees has come: counts of employees (and goals) at each step."""

    employees: int = 0
    goals: int = 0
    agreed: int = 0
    tracked: int = 0
    up_to_date: int = 0
    self_assessed: int = 0
    decided: int = 0
    acknowledged: int = 0
    disputed: int = 0
    bands: Counter[str] = field(default_factory=Counter)  # the band that stands, for decided reviews
    computed: Counter[str] = field(default_factory=Counter)  # the band the score gives now

    def add(self, row: EmployeeRow) -> None:
        self.employees += 1
        self.goals += row.goals
        self.agreed += row.agreed
        self.tracked += row.tracked
        self.up_to_date += row.up_to_date
        self.self_assessed += row.self_assessed
        self.decided += row.decided_band is not None
        self.acknowledged += row.stage == "acknowledged"
        self.disputed += row.disputed
        if row.final_band:
            self.bands[row.final_band] += 1
        if row.computed_band:
            self.computed[row.computed_band] += 1


def cycle_states(engine: Engine, cycle_id: str) -> dict[str, list[State]]:
    """Every goal's review state in the cycle, by owner."""
    query = select(goal_reviews.c.owner_id, goal_reviews.c.state).where(goal_reviews.c.cycle_id == cycle_id)
    owners: dict[str, list[State]] = {}
    with engine.connect() as connection:
        for owner_id, text in connection.execute(query.order_by(goal_reviews.c.owner_id, goal_reviews.c.goal_id)):
            owners.setdefault(owner_id, []).append(json.loads(text))
    return owners


def employee_rows(engine: Engine, records: ReviewRecords, cycle_id: str, today: date, policy: ScoringPolicy,
                  ) -> list[EmployeeRow]:
    """One row per owner of a goal in the cycle, by employee id."""
    return [employee_row(owner, states, records, today, policy)
            for owner, states in sorted(cycle_states(engine, cycle_id).items())]


def employee_row(employee_id: str, states: list[State], records: ReviewRecords, today: date,
                 policy: ScoringPolicy) -> EmployeeRow:
    first = min(states, key=lambda s: (s["drafted_at"], s["goal_id"]))
    cycle_id = first["cycle"]["id"]
    scored = rating_justification(employee_id, cycle_id, None, states, today, policy)
    review = records.review(employee_id, cycle_id)
    tracked = [s for s in states if s["status"] == "agreed"]
    decision = review.decision if review else None
    return EmployeeRow(
        employee_id=employee_id, manager_id=first["manager_id"], org_unit=first["org_unit"] or "",
        goals=len(states), agreed=sum(s["agreed_at"] is not None for s in states),
        tracked=len(tracked), up_to_date=sum(_up_to_date(s, today) for s in tracked),
        self_assessed=bool(review and review.assessments), stage=str(review.stage) if review else "open",
        score=scored["score"], computed_band=scored["band"],
        decided_band=decision.band if decision else None, final_band=review.final_band if review else None,
        decided_against=decision.computed_band if decision else None,
        override_direction=decision.override_direction if decision else None,
        override_reason=decision.override_reason if decision else None,
        disputed=bool(review and review.disputes),
    )


def _up_to_date(state: State, today: date) -> bool:
    return not any(overdue_reading(state, kpi, today, 0) for kpi in state["kpis"])


def completion(rows: Iterable[EmployeeRow], group: Grouping | None = None) -> dict[str, Completion]:
    """The completion of every group (all rows under "" when no grouping is given), groups by name."""
    groups: dict[str, Completion] = {}
    for row in rows:
        groups.setdefault(group(row) if group else "", Completion()).add(row)
    return dict(sorted(groups.items()))

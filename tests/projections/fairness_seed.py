"""Seed a cycle of teams whose goals were recalibrated in chosen ways, on known days (for the fairness report)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

from freezegun import freeze_time

from application.goals.service import Goals
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.scenarios import HR, customer_service_terms, draft

AGREED_ON = date(2026, 1, 10)
DECIDED_ON = date(2026, 3, 2)  # 120 days before the deadline, 30 June
EASE = {"targets": {"tickets": {"target": Decimal(18)}}}
TIGHTEN = {"targets": {"tickets": {"target": Decimal(22)}}}
MIX = {"targets": {"tickets": {"target": Decimal(18)}, "csat": {"target": Decimal(92)}}}


@dataclass(frozen=True)
class Team:
    """A manager's team: how many goals, and how many of them got each kind of recalibration decided."""

    manager: str
    size: int
    eased: int = 0
    tightened: int = 0
    mixed: int = 0
    rejected: int = 0


@contextmanager
def on(day: date, clock: Clock) -> Iterator[None]:
    clock.current = day
    with freeze_time(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=True):
        yield


def seed_team(goals: Goals, clock: Clock, team: Team) -> list[UUID]:
    """Agreed goals for the team's reports; the first ones recalibrated as the team says (proposed by the manager)."""
    manager = Actor(team.manager, Role.MANAGER)
    plan: list[tuple[dict[str, Any], bool]] = (
        [(EASE, True)] * team.eased + [(TIGHTEN, True)] * team.tightened + [(MIX, True)] * team.mixed
        + [(EASE, False)] * team.rejected
    )
    goal_ids = []
    for index in range(team.size):
        owner = Actor(f"{team.manager}-report-{index}", Role.EMPLOYEE)
        with on(AGREED_ON, clock):
            terms = customer_service_terms(owner_id=owner.id, manager_id=manager.id, org_unit=f"unit-{team.manager}")
            goal_id = draft(goals, terms, owner)
            goals.sign_goal(goal_id, owner)
            goals.sign_goal(goal_id, manager)
        if index < len(plan):
            change, approve = plan[index]
            recalibrate(goals, clock, goal_id, manager, change, approve)
        goal_ids.append(goal_id)
    return goal_ids


def recalibrate(goals: Goals, clock: Clock, goal_id: UUID, proposer: Actor, change: dict[str, Any],
                approve: bool) -> None:
    with on(date(2026, 3, 1), clock):
        proposal = goals.propose_recalibration(
            goal_id, proposer, reason="external_factor", justification="A supplier outage beyond the team's control.",
            **change,
        )
    with on(DECIDED_ON, clock):
        decide = goals.approve_recalibration if approve else goals.reject_recalibration
        decide(goal_id, HR, proposal.reference or "", note="Checked the evidence.")

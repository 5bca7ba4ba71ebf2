"""`goalengine demo`: walk the seed's customer-service goal through its whole life and print the trail."""

from __future__ import annotations

import argparse
from datetime import date, datetime, UTC
from decimal import Decimal

from application.goals import Goals
from domain.terms import GoalTerms
from application.settings import Settings
from domain.values import Actor, Cadence, Cycle, Direction, Kpi, Role


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("demo", help="draft, agree, track, recalibrate and close a sample goal")
    parser.set_defaults(handler=run)


def run(_args: argparse.Namespace) -> int:
    year = datetime.now(UTC).year
    today = date(year, 3, 31)
    goals = Goals(Settings.from_env(create=True), today=lambda: today)  # demo may create the store
    employee, manager, hr = Actor("emp-1", Role.EMPLOYEE), Actor("mgr-1", Role.MANAGER), Actor("hr-7", Role.HR)
    drafted = goals.draft_goal(
        employee,
        cycle=Cycle(f"{year}-H1", date(year, 1, 1), date(year, 6, 30)),
        owner_id="emp-1",
        manager_id="mgr-1",
        terms=GoalTerms(
        org_unit="support",
        title="Customer support throughput and satisfaction",
        statement="Resolve at least 20 support tickets per day with an average customer satisfaction "
        "rating of 90% or higher, by the end of Q2",
        kpis=(
            Kpi("tickets", "Tickets resolved per day", "tickets/day", Direction.INCREASE, Decimal(14),
                Cadence.WEEKLY, target=Decimal(20)),
            Kpi("csat", "Customer satisfaction", "%", Direction.INCREASE, Decimal(82), Cadence.MONTHLY,
                target=Decimal(90)),
        ),
        deadline=date(year, 6, 30),
        weight=Decimal(60),
        rationale="Support is the company's first objective this year: faster, happier customers.",
        ),
    )
    from uuid import UUID

    goal_id = UUID(drafted.goal_id)
    goals.sign_goal(goal_id, employee)
    goals.sign_goal(goal_id, manager)
    goals.set_milestone(goal_id, manager, kpi="tickets", due=date(year, 3, 31), target=Decimal(17))
    goals.record_kpi(goal_id, employee, kpi="tickets", value=Decimal("16.5"), observed_at=date(year, 3, 31))
    goals.record_kpi(goal_id, employee, kpi="csat", value=Decimal("86"), observed_at=date(year, 3, 31))
    proposal = goals.propose_recalibration(
        goal_id, manager, reason="external_factor",
        justification="A ticketing-system outage in March cost two weeks of throughput.",
        targets={"tickets": {"target": Decimal(19)}},
    )
    assert proposal.reference is not None
    goals.approve_recalibration(goal_id, hr, proposal.reference, note="Outage confirmed by IT.")
    goals.close_goal(goal_id, manager, outcome="partially_achieved", summary="Tickets on target, CSAT short.")
    for event in goals.goal_events(goal_id):
        print(f"v{event.originator_version:<3} {event.timestamp:%Y-%m-%d %H:%M:%S}  "
              f"{type(event).__name__:<22} {event.actor_role:<9} {event.actor_id}")
    print(f"goal {goal_id} stored in {goals.settings.database_url}")
    goals.close()
    return 0

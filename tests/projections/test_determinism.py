"""Rebuilding from scratch gives exactly the live read model, after any workload (Hypothesis)."""

from __future__ import annotations

import contextlib

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.goals.service import Goals
from application.events.serialization import EventRecord
from domain.errors import GoalError
from projections.review.state import fold
from projections.review_projection import dump_state, load_states
from projections.runner import ProjectionRunner
from projections.service import build_runner
from tests.conftest import Clock
from tests.projections.conftest import read_models
from tests.scenarios import EMPLOYEE, HR, MANAGER, agreed, customer_service_terms

steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.integers(0, 1), st.sampled_from(["tickets", "csat"]), st.integers(0, 20),
                  st.integers(0, 120)),
        st.tuples(st.just("recalibrate"), st.integers(0, 1), st.booleans(), st.integers(15, 30)),
        st.tuples(st.just("close"), st.integers(0, 1)),
        st.tuples(st.just("catch_up"), st.integers(1, 9)),
    ),
    max_size=25,
)


def act(goals: Goals, goal_id: UUID, step: tuple[Any, ...]) -> None:
    if step[0] == "record":
        _, _, kpi, day, value = step
        goals.record_kpi(goal_id, EMPLOYEE, kpi=str(kpi), value=Decimal(int(value)),
                         observed_at=date(2026, 1, 1) + timedelta(days=int(day)))
    elif step[0] == "recalibrate":
        _, _, approve, target = step
        proposal = goals.propose_recalibration(
            goal_id, MANAGER, reason="external_factor", justification="The market moved under our feet.",
            targets={"tickets": {"target": Decimal(int(target))}},
        )
        decide = goals.approve_recalibration if approve else goals.reject_recalibration
        decide(goal_id, HR, proposal.reference or "", note="Checked the evidence.")
    elif step[0] == "close":
        goals.close_goal(goal_id, MANAGER, outcome="partially_achieved", summary="Closed mid-workload.")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(workload=steps)
def test_a_rebuilt_read_model_equals_the_live_one(
    goals: Goals, clock: Clock, runner: ProjectionRunner, workload: list[tuple[Any, ...]]
) -> None:
    clock.current = date(2026, 1, 15)
    goal_ids = [agreed(goals, customer_service_terms()), agreed(goals, customer_service_terms(title="Second"))]
    clock.current = date(2026, 6, 1)
    for step in workload:
        if step[0] == "catch_up":
            build_runner(goals, batch_size=int(step[1])).catch_up()
            continue
        with contextlib.suppress(GoalError):  # a refused command stores nothing; the workload goes on
            act(goals, goal_ids[int(step[1])], step)
    runner.catch_up()
    live = read_models(runner)
    build_runner(goals, batch_size=1000).rebuild()
    assert read_models(runner) == live
    stored = {s["goal_id"]: dump_state(s) for s in load_states(runner.engine, EMPLOYEE.id, "2026-H1")}
    for goal_id in goal_ids:
        folded = fold(EventRecord.of(e) for e in goals.goal_events(goal_id))
        assert folded is not None and stored[str(goal_id)] == dump_state(folded)

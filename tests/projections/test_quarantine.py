"""A stored event that is not what was signed halts its own goal's read models, once and quietly (ADR 0050): the
finding is recorded with the positions that pass it, every other goal goes on, and no round fails over it."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import select

from api.bootstrap import projector_for
from application.goals.service import Goals
from projections.quarantine import Finding
from projections.service import build_runner
from projections.tables import goal_index
from tests.application import tampering
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms

WAIT = 10.0  # seconds a test waits for the projector at most


def two_goals_one_tampered(goals: Goals) -> tuple[UUID, UUID]:
    """Two agreed goals with two readings each (versions 5 and 6); the first one's first reading is then edited."""
    tampered, intact = agreed(goals, customer_service_terms()), agreed(goals, customer_service_terms())
    for goal_id in (tampered, intact):
        for day in (10, 11):
            goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    tampering.change_value(goals, tampered, 5, "value", {"_type_": "decimal_str", "_data_": "9999"})
    goals.forget_cached_aggregates()
    return tampered, intact


def indexed_versions(goals: Goals) -> dict[str, int]:
    with goals.engine.connect() as connection:
        return dict(connection.execute(select(goal_index.c.goal_id, goal_index.c.version)).tuples().all())


def test_a_tampered_event_stops_its_goal_only_and_is_recorded_once(
    goals: Goals, caplog: pytest.LogCaptureFixture
) -> None:
    tampered, intact = two_goals_one_tampered(goals)
    runner = build_runner(goals, batch_size=7)  # several batches: the finding is met in one, the goal's next in another
    with caplog.at_level(logging.WARNING, logger="goalengine.projector"):
        runner.catch_up_together(goals.head_position())
        runner.catch_up_together(goals.head_position())
        runner.catch_up()
    assert indexed_versions(goals) == {str(tampered): 4, str(intact): 6}, "the last version its verified events make"
    [finding] = runner.findings()
    assert (finding.goal_id, finding.version, finding.kind) == (str(tampered), 5, "changed")
    assert all(status.lag == 0 for status in runner.status())
    assert caplog.text.count("is not what was signed") == 1


def test_a_rebuild_applies_the_events_before_the_tampered_one(goals: Goals) -> None:
    tampered, intact = two_goals_one_tampered(goals)
    runner = build_runner(goals)
    runner.catch_up()
    runner.rebuild()
    assert indexed_versions(goals) == {str(tampered): 4, str(intact): 6}
    assert [(f.goal_id, f.version) for f in build_runner(goals).findings()] == [(str(tampered), 5)]


def test_the_background_projector_does_not_fail_round_after_round(
    goals: Goals, caplog: pytest.LogCaptureFixture
) -> None:
    tampered, intact = two_goals_one_tampered(goals)
    projector = projector_for(goals)
    with caplog.at_level(logging.WARNING, logger="goalengine.projector"):
        projector.start()
        try:
            head = goals.head_position()
            assert projector.progress.wait_for(goal_index.name, head, WAIT) >= head
            later = goals.record_kpi(intact, EMPLOYEE, kpi="tickets", value=Decimal(12),
                                     observed_at=date(2026, 1, 12)).position
            assert later is not None
            projector.wake()
            assert projector.progress.wait_for(goal_index.name, later, WAIT) >= later
        finally:
            projector.stop()
    assert "projection round failed" not in caplog.text
    assert caplog.text.count("is not what was signed") == 1
    assert [(f.goal_id, f.version) for f in projector.runner.findings()] == [(str(tampered), 5)]
    assert indexed_versions(goals)[str(intact)] == 7


def test_a_row_the_store_cannot_decode_halts_the_projections_and_says_so_once(
    goals: Goals, caplog: pytest.LogCaptureFixture
) -> None:
    if goals.settings.store != "sqlite":
        pytest.skip("PostgreSQL's uuid column refuses an id that is no UUID")
    tampered, _intact = two_goals_one_tampered(goals)
    tampering._execute(goals, "UPDATE {table} SET originator_id = 'not-a-uuid' WHERE originator_id = :g "
                       "AND originator_version = 6", g=tampered.hex)
    runner = build_runner(goals)
    with caplog.at_level(logging.WARNING, logger="goalengine.projector"):
        runner.catch_up_together(goals.head_position())
        runner.catch_up_together(goals.head_position())
    halted = [f for f in runner.findings() if f.goal_id is None]
    assert halted == [Finding(None, None, halted[0].position, "undecodable")]
    assert caplog.text.count("projections halt at log position") == 1

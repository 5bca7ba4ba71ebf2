"""Rollback and fork detection (issue 23, item 2; ADR 0039): the latest signed checkpoint is kept outside the
database, and a log that no longer holds it is not ready, takes no writes and does not verify."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.audit.note import verify_checkpoint
from application.audit.rollback import LogRolledBackError
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Actor
from tests.application import tampering
from tests.conftest import SIGNER, Clock
from tests.scenarios import AUDITOR, EMPLOYEE, agreed, customer_service_terms, ensure_cycles

Auth = Callable[[Actor], dict[str, str]]
READING = {"kpi": "tickets", "value": 3, "observed_at": "2026-01-10", "source": "helpdesk", "note": ""}


@pytest.fixture
def kept_settings(api_settings: Settings, tmp_path: Path) -> Settings:
    return replace(api_settings, audit_state_dir=str(tmp_path / "state"))


@contextmanager
def serving(settings: Settings, clock: Clock) -> Iterator[tuple[TestClient, Goals]]:
    """A server process over the store: started (its rollback check runs), then stopped."""
    goals = Goals(settings, today=clock)
    try:
        with TestClient(create_app(settings, goals)) as client:
            yield client, goals
    finally:
        goals.close()


def a_goal_and_its_checkpoint(settings: Settings, clock: Clock, auth: Auth) -> tuple[UUID, str]:
    with serving(settings, clock) as (client, goals):
        ensure_cycles(goals)
        goal = agreed(goals, customer_service_terms())
        for day in (5, 6):
            goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
        note = client.get("/audit/checkpoint", headers=auth(AUDITOR)).text
    return goal, note


def test_deleting_the_last_events_and_restarting_is_a_rollback_that_refuses_writes(
    kept_settings: Settings, clock: Clock, auth: Auth
) -> None:
    goal, note = a_goal_and_its_checkpoint(kept_settings, clock, auth)
    kept = verify_checkpoint(note, [SIGNER.public])
    assert kept.size == 9
    editor = Goals(kept_settings)  # whoever can write the database, without the key
    for version in (6, 5):
        tampering.delete_event(editor, goal, version)
    editor.close()
    with serving(kept_settings, clock) as (client, goals):
        head = goals.head_position()
        ready = client.get("/ready")
        assert (ready.status_code, ready.json()["code"]) == (503, "log_rolled_back")
        assert "size 9" in ready.json()["detail"]
        written = client.post(f"/goals/{goal}/measurements", json=READING, headers=auth(EMPLOYEE))
        assert (written.status_code, written.json()["code"]) == (503, "log_rolled_back")
        with pytest.raises(LogRolledBackError):
            goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(7), observed_at=date(2026, 1, 7))
        verified = client.get("/audit/verify", headers=auth(AUDITOR)).json()
        assert verified["kind"] == "checkpoint_mismatch" and "checkpoint of size 9" in verified["detail"]
        assert goals.head_position() == head  # no position handed out again
        for path, params in (("/audit/checkpoint", {}), ("/audit/consistency", {"from": 9, "to": 9})):
            assert client.get(path, params=params, headers=auth(AUDITOR)).status_code in (409, 422)


def test_a_fork_written_where_the_deleted_events_were_is_caught_on_restart(
    kept_settings: Settings, clock: Clock, auth: Auth
) -> None:
    goal, _ = a_goal_and_its_checkpoint(kept_settings, clock, auth)
    unwatched = Goals(replace(kept_settings, audit_state_dir=None), today=clock)  # an old copy, served elsewhere
    try:
        tampering.delete_event(unwatched, goal, 6)
        unwatched.forget_cached_aggregates()
        unwatched.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(99), observed_at=date(2026, 1, 6))
    finally:
        unwatched.close()
    with serving(kept_settings, clock) as (client, _goals):
        ready = client.get("/ready")
        assert (ready.status_code, ready.json()["code"]) == (503, "log_rolled_back")


def test_an_intact_log_is_ready_and_its_kept_checkpoint_follows_the_head(
    kept_settings: Settings, clock: Clock, auth: Auth
) -> None:
    a_goal_and_its_checkpoint(kept_settings, clock, auth)
    with serving(kept_settings, clock) as (client, goals):
        assert client.get("/ready").status_code == 200
        [folder] = Path(kept_settings.audit_state_dir or "").iterdir()
        kept = verify_checkpoint((folder / "checkpoint").read_text(), [SIGNER.public])
        assert kept.size == goals.head_position() == 9
        assert oct((folder / "checkpoint").stat().st_mode & 0o777) == oct(0o600)

"""Read seals (ADR 0050): the first read after a restart checks a MAC per event instead of an Ed25519 signature, and
still refuses every edit, deletion and reordering the signatures refuse, on both stores; a seal written by whoever
edits the database vouches for nothing."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from application.audit.keys import Keyring
from application.audit.read_check import TamperedEventError
from application.goals.service import Goals
from application.store.seal_rows import SEALS_TABLE
from domain.goal import Goal
from tests.application import tampering
from tests.conftest import PUBLIC_KEY_FILE, Clock, store_settings
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, ensure_cycles

READINGS = (10, 11, 12)  # versions 5, 6 and 7: the goal is agreed at version 4
LAST = 4 + len(READINGS)


@pytest.fixture
def signatures_checked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many Ed25519 signatures of events the application checks (a list of one count)."""
    count = [0]
    verify = Keyring.verify

    def counting(self: Keyring, kid: str, signature: bytes, message: bytes) -> bool:
        count[0] += message.startswith(b"goalengine/event/")
        return verify(self, kid, signature, message)

    monkeypatch.setattr(Keyring, "verify", counting)
    return count


@pytest.fixture
def goal(store_url: str, clock: Clock) -> UUID:
    """A goal agreed and read three times, written by a process that has since stopped."""
    writer = Goals(store_settings(database_url=store_url), today=clock)
    try:
        ensure_cycles(writer)
        goal_id = agreed(writer, customer_service_terms())
        for day in READINGS:
            writer.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    finally:
        writer.close()
    return goal_id


@pytest.fixture
def restarted(store_url: str, clock: Clock) -> Iterator[Callable[..., Goals]]:
    """A new process over the same store (nothing checked in memory yet), with whatever settings are given; the one
    before it stops first."""
    started: list[Goals] = []

    def start(**fields: Any) -> Goals:
        stop()
        started.append(Goals(store_settings(database_url=store_url, **fields), today=clock))
        return started[-1]

    def stop() -> None:
        while started:
            started.pop().close()

    yield start
    stop()


def readings(goal: Goal) -> int:
    return len(goal.readings.versions.get("tickets", {}))


def seals(goals: Goals) -> dict[tuple[str, int], bytes]:
    with goals.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT originator_id, originator_version, seal FROM {SEALS_TABLE}"))
        return {(row.originator_id, row.originator_version): bytes(row.seal) for row in rows}


def write_seal(goals: Goals, goal_id: UUID, version: int, seal: bytes) -> None:
    with goals.engine.begin() as connection:
        connection.execute(text(f"UPDATE {SEALS_TABLE} SET seal = :s WHERE originator_id = :g "
                                "AND originator_version = :v"), {"s": seal, "g": str(goal_id), "v": version})


def refused(goals: Goals, goal_id: UUID) -> TamperedEventError:
    with pytest.raises(TamperedEventError) as caught:
        goals.get_goal(goal_id)
    return caught.value


def test_the_first_read_after_a_restart_checks_seals_not_signatures(
    goal: UUID, restarted: Callable[..., Goals], signatures_checked: list[int]
) -> None:
    reader = restarted()
    assert [(goal_id, version) for goal_id, version in seals(reader) if goal_id == str(goal)] == [
        (str(goal), version) for version in range(1, LAST + 1)], "each event is sealed as it is stored"
    loaded = reader.get_goal(goal)
    assert (loaded.version, readings(loaded)) == (LAST, len(READINGS))
    assert signatures_checked == [0]


def change_timestamp(goals: Goals, goal_id: UUID, version: int) -> None:
    state = tampering.stored_state(goals, goal_id, version)
    state["timestamp"] = {"_type_": "datetime_iso", "_data_": "2025-01-01T00:00:00+00:00"}
    tampering.write_state(goals, goal_id, version, state)


EDITS: dict[str, tuple[Callable[[Goals, UUID], None], int, set[str]]] = {
    "an early event edited": (lambda app, g: change_timestamp(app, g, 2), 2, {"changed"}),
    "a middle event edited": (lambda app, g: tampering.change_value(
        app, g, 6, "value", {"_type_": "decimal_str", "_data_": "9911"}), 6, {"changed"}),
    "the last event edited": (lambda app, g: change_timestamp(app, g, LAST), LAST, {"changed", "forged"}),
    "a middle event deleted": (lambda app, g: tampering.delete_event(app, g, 3), 3, {"removed"}),
    "two events reordered": (lambda app, g: tampering.swap_states(app, g, 5, 6), 5, {"reordered", "changed"}),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_every_edit_the_signatures_refuse_the_seals_refuse(
    goal: UUID, restarted: Callable[..., Goals], edit: str
) -> None:
    change, version, kinds = EDITS[edit]
    change(restarted(), goal)
    error = refused(restarted(), goal)
    assert (error.context["goal_id"], error.context["version"]) == (str(goal), version)
    assert error.kind in kinds


def test_a_seal_written_in_the_database_vouches_for_nothing(goal: UUID, restarted: Callable[..., Goals]) -> None:
    editor = restarted()
    tampering.change_value(editor, goal, 5, "value", {"_type_": "decimal_str", "_data_": "9910"})
    genuine = seals(editor)
    for forged in (genuine[(str(goal), 6)], os.urandom(32), genuine[(str(goal), 5)]):
        write_seal(restarted(), goal, 5, forged)
        error = refused(restarted(), goal)
        assert (error.context["version"], error.kind) == (5, "changed")


def test_reordered_events_with_their_seals_are_still_refused(goal: UUID, restarted: Callable[..., Goals]) -> None:
    editor = restarted()
    genuine = seals(editor)
    tampering.swap_states(editor, goal, 6, 7)
    write_seal(editor, goal, 6, genuine[(str(goal), 7)])
    write_seal(editor, goal, 7, genuine[(str(goal), 6)])
    assert refused(restarted(), goal).context["version"] == 6


def test_an_edited_snapshot_is_never_served(
    goal: UUID, restarted: Callable[..., Goals], caplog: pytest.LogCaptureFixture
) -> None:
    writer = restarted(snapshot_interval=3)
    for day in (13, 14):  # version 9: a snapshot is taken
        writer.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    [snapshot] = writer.snapshots.recorder.select_events(goal)  # type: ignore[union-attr]
    state = json.loads(snapshot.state)
    state["_version"] = 1  # a snapshot that would skip every reading after the drafting
    table = "stored_snapshots" if writer.settings.store == "sqlite" else "goalengine_snapshots"
    tampering._execute(writer, f"UPDATE {table} SET state = :s", s=json.dumps(state, separators=(",", ":")).encode())
    with caplog.at_level(logging.WARNING, logger="goalengine.audit"):
        loaded = restarted(snapshot_interval=3).get_goal(goal)
    assert (loaded.version, readings(loaded)) == (LAST + 2, len(READINGS) + 2)
    assert f"snapshot of goal {goal} at version {snapshot.originator_version} ignored" in caplog.text


def test_rows_checked_on_reading_are_sealed_for_the_next_process(
    goal: UUID, restarted: Callable[..., Goals], signatures_checked: list[int]
) -> None:
    first = restarted()
    with first.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {SEALS_TABLE}"))
    first.get_goal(goal)
    assert signatures_checked == [LAST], "without seals, every event's signature is checked"
    restarted().get_goal(goal)  # the first stopped: the seals of what it checked were written as it did
    assert signatures_checked == [LAST]


def test_without_the_signing_key_every_first_read_checks_the_signatures(
    goal: UUID, restarted: Callable[..., Goals], signatures_checked: list[int]
) -> None:
    tampering.change_value(restarted(), goal, 6, "value", {"_type_": "decimal_str", "_data_": "9912"})
    reader = restarted(audit_signing_key=None, audit_public_keys=(Path(PUBLIC_KEY_FILE).read_bytes(),))
    assert refused(reader, goal).context["version"] == 6
    assert signatures_checked[0] >= 6


def test_seals_made_under_another_keyring_do_not_vouch(
    goal: UUID, restarted: Callable[..., Goals], signatures_checked: list[int], tmp_path: Path
) -> None:
    from application.audit.keys import generate_pair  # a second key pair: the keyring changes

    generate_pair(tmp_path / "other")
    other = (tmp_path / "other" / "audit-signing.pub").read_bytes()
    assert restarted(audit_public_keys=(other,)).get_goal(goal).version == LAST
    assert signatures_checked == [LAST]


def test_the_log_read_in_order_is_checked_by_its_seals_too(
    goal: UUID, restarted: Callable[..., Goals], signatures_checked: list[int]
) -> None:
    assert [e.event.originator_version for e in restarted().log_events() if e.event.originator_id == goal] == list(
        range(1, LAST + 1))
    assert signatures_checked == [0]
    tampering.change_value(restarted(), goal, 6, "value", {"_type_": "decimal_str", "_data_": "9913"})
    with pytest.raises(TamperedEventError) as caught:
        list(restarted().log_events())
    assert caught.value.context["version"] == 6

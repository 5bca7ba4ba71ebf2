"""An erasure leaves no residue in the store's raw files (issue 23, item 6): the SQLite file, its -wal and -shm are
scanned as they are, without a VACUUM, right after the erasure returns; and every file created is 0600 (item 7)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from application.audit.log import audit_log
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.keys import data_keys
from application.store.settings import Settings
from application.webhooks.sealing import SecretBox
from projections.service import build_runner
from tests.application.privacy.support import TEXTS, employee_with_history, other_employee_goal, texts_of
from tests.conftest import Clock, store_settings
from tests.scenarios import HR


@pytest.fixture
def sqlite_goals(tmp_path: Path, clock: Clock) -> Iterator[Goals]:
    """A store outside var/, opened under the usual umask 022."""
    previous = os.umask(0o022)
    goals = Goals(store_settings(database_url=f"sqlite:///{tmp_path}/store/goals.db", snapshot_interval=3,
                           audit_state_dir=str(tmp_path / "state")), today=clock)
    yield goals
    goals.close()
    os.umask(previous)


def raw_files(goals: Goals) -> bytes:
    path = goals.settings.sqlite_path()
    return b"".join(Path(path + suffix).read_bytes() for suffix in ("", "-wal", "-shm")
                    if Path(path + suffix).exists())


def wrapped_keys(goals: Goals, person_id: str) -> list[bytes]:
    """The person's data keys as stored (sealed by the master key); an erasure overwrites them with NULL."""
    with goals.engine.connect() as connection:
        wrapped = connection.execute(select(data_keys.c.wrapped).where(
            data_keys.c.subject_id == person_id, data_keys.c.wrapped.is_not(None))).scalars().all()
    return [str(value).encode() for value in wrapped]


def test_the_raw_files_hold_no_trace_of_the_erased_person_right_after_the_erasure(sqlite_goals: Goals,
                                                                                   clock: Clock) -> None:
    goals = sqlite_goals
    employee_with_history(goals, clock)
    other_employee_goal(goals)
    runner = build_runner(goals)
    runner.catch_up()
    keys = wrapped_keys(goals, "emp-1")
    assert keys and all(key in raw_files(goals) for key in keys)
    assert TEXTS["note"].encode() in raw_files(goals)  # the review read model shows the text until the erasure
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    assert [key for key in keys if key in raw_files(goals)] == []  # the key material: gone from file and log
    runner.catch_up()  # the projector scrubs the read models
    assert [name for name, text in texts_of("emp-1").items() if text.encode() in raw_files(goals)] == []
    assert TEXTS["summary"].encode() in raw_files(goals)  # the manager wrote it: not theirs to erase


def test_every_file_the_store_creates_is_private(sqlite_goals: Goals, clock: Clock, tmp_path: Path) -> None:
    employee_with_history(sqlite_goals, clock)
    audit_log(sqlite_goals).checkpoint()
    SecretBox.from_file(str(tmp_path / "var" / "webhook-secrets.key"))
    created = [p for p in tmp_path.rglob("*") if p.is_file()]
    expected = {"goals.db", "goals.db-wal", "goals.db-shm", "checkpoint", "webhook-secrets.key"}
    assert {p.name for p in created} >= expected
    assert {str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in created
            if stat.S_IMODE(p.stat().st_mode) != 0o600} == {}


def test_an_erasure_on_either_store_vacuums_what_it_touched_and_still_verifies(settings: Settings,
                                                                                clock: Clock) -> None:
    goals = Goals(replace(settings, snapshot_interval=3), today=clock)
    try:
        employee_with_history(goals, clock)
        erase_person(goals, "emp-1", HR, "GDPR article 17 request")
        assert wrapped_keys(goals, "emp-1") == []
    finally:
        goals.close()

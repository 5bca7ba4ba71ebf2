"""Every in-memory cache holds at most its bound (application/store/settings.py: Bounds), each entry of bounded size,
and still answers rightly past it (issue 28, ADR 0045). Filled past each bound on both stores."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from application.audit.keys import Keyring
from application.audit.read_seals import ReadSeals
from application.goals.service import Goals
from application.store.bounds import Bounds
from application.store.settings import Settings
from tests.conftest import AUDIT_KEY, Clock, store_settings
from domain.values import Actor
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, draft

SMALL = Bounds(goal_measurements=3, reading_series_goals=2, data_keys=2, data_subjects=2, chain_heads=2,
               checked_events=2, replay_heads=2, sqlite_page_cache_kib=64, fetched_seal_goals=2, fresh_seals=2,
               queued_seals=2)
GOALS, READINGS = 4, 7


@pytest.fixture
def small(settings: Settings, clock: Clock) -> Iterator[Goals]:
    clock.current = date(2026, 4, 2)
    goals = Goals(replace(settings, bounds=SMALL), today=clock)
    yield goals
    goals.close()


def fill(goals: Goals) -> list[UUID]:
    """GOALS goals of GOALS people, READINGS readings each (two on the same day), each with a personal note."""
    goal_ids = []
    for person in range(GOALS):
        owner = Actor(f"emp-{person}", EMPLOYEE.role)
        goal_id = draft(goals, customer_service_terms(owner_id=owner.id), actor=MANAGER)
        goals.sign_goal(goal_id, owner)
        goals.sign_goal(goal_id, MANAGER)
        for reading in range(READINGS):
            goals.record_kpi(goal_id, owner, kpi="tickets", value=Decimal(reading), note=f"note {person}/{reading}",
                             observed_at=date(2026, 3, 1) + timedelta(days=min(reading, READINGS - 2)))
        goal_ids.append(goal_id)
    return goal_ids


def test_each_cache_holds_at_most_its_bound_and_answers_rightly_past_it(small: Goals) -> None:
    goal_ids = fill(small)
    for goal_id in goal_ids:  # read each again: every cache is asked past its bound
        readings = small.bounded_readings(small.get_goal(goal_id))
        assert readings.total == READINGS and len(readings.latest) == SMALL.goal_measurements
        assert len(readings.by_day) == READINGS - 1  # bounded by the days read, not by the readings
        charted = readings.for_charts()  # each day's counted reading, and the latest (the last day's correction)
        assert {m.observed_at for m in charted} == {day for _kpi, day in readings.by_day}
        assert set(readings.latest) <= set(charted) and len(charted) == READINGS
        assert [m.note for m in small.readings(small.get_goal(goal_id))] == [
            f"note {goal_ids.index(goal_id)}/{r}" for r in range(READINGS)]
    assert len(small.reading_series.cached) <= SMALL.reading_series_goals
    assert len(small.data_keys._keys) <= SMALL.data_keys and len(small.data_keys._active) <= SMALL.data_keys
    assert len(small.personal._subjects) <= SMALL.data_subjects
    assert len(small.mapper.heads._heads) <= SMALL.chain_heads  # type: ignore[attr-defined]
    assert len(small.mapper.pending._links) <= SMALL.chain_heads  # type: ignore[attr-defined]
    read_check = small.mapper.read_check  # type: ignore[attr-defined]
    assert len(read_check._checked) <= SMALL.checked_events
    assert len(getattr(read_check._local, "last", {})) <= SMALL.replay_heads  # (this thread's: it read them all)
    seals = read_check.seals
    assert seals is not None and seals.bounds == SMALL
    assert len(getattr(seals._local, "fetched", {})) <= SMALL.fetched_seal_goals
    assert len(seals._fresh) <= SMALL.fresh_seals and len(seals._queued) < SMALL.queued_seals


class CountingSealStore:
    """A seal store in memory that counts what is asked of it."""

    def __init__(self) -> None:
        self.selects = 0
        self.written: list[list[tuple[str, int, bytes]]] = []

    def select_seals(self, originator_id: str, from_version: int) -> dict[int, bytes]:
        self.selects += 1
        return dict.fromkeys(range(from_version, from_version + 3), b"s" * 32)

    def write_seals(self, rows: list[tuple[str, int, bytes]]) -> None:
        self.written.append(list(rows))


def test_read_seals_keep_at_most_their_bounds_and_still_vouch_past_them() -> None:
    store = CountingSealStore()
    seals = ReadSeals(b"k" * 32, Keyring([]), lambda: store, SMALL)
    for version in range(1, 6):  # saves that failed leave fresh seals behind: the oldest go first
        seals.signed("goal", version, "previous", b"d" * 32)
    assert list(seals._fresh) == [("goal", 4), ("goal", 5)]
    for version in range(1, 6):  # checked seals are written on their own once the queue holds the bound
        seals.checked("goal", version, "previous", b"d" * 32)
    assert [len(rows) for rows in store.written] == [2, 2] and len(seals._queued) == 1
    for goal in ("a", "b", "c", "a"):  # a thread keeps the stored seals of at most two goals
        assert seals._stored(goal, 1) == b"s" * 32
        assert len(seals._local.fetched) <= SMALL.fetched_seal_goals
    assert store.selects == 4  # "a" was dropped when "c" came, so it is read again


def test_a_data_key_dropped_from_the_cache_is_opened_again_alone(small: Goals) -> None:
    goal_ids = fill(small)
    small.data_keys._keys.clear()
    small.forget_cached_aggregates()
    for goal_id in goal_ids:
        assert small.readings(small.get_goal(goal_id))[0].note == f"note {goal_ids.index(goal_id)}/0"
    assert len(small.data_keys._keys) <= SMALL.data_keys


def test_the_bounds_live_in_one_place_with_the_defaults_the_issue_names() -> None:
    assert Settings().bounds.goal_measurements == 100
    assert all(value > 0 for value in vars(Bounds()).values())


KIB = 1024
FILLER_PAGES = 512  # one 4,000-byte row per 4 KiB page: a table of about 2 MiB, 32 times the small bound


def sqlite_memory_used() -> Callable[[], int] | None:
    """SQLite's own count of the bytes it holds (page caches included), if this interpreter's sqlite3 module uses
    the shared library ctypes can reach (a statically linked one keeps its counters to itself)."""
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return None
    used = ctypes.CDLL(name).sqlite3_memory_used
    used.restype = ctypes.c_int64
    return lambda: int(used())


def page_cache_growth(tmp_path_factory: pytest.TempPathFactory, bound_kib: int) -> dict[str, tuple[int, int]]:
    """For a connection of each pool (the engine's, the event store's): its cache_size, and how much SQLite's
    memory grew while it read a table of FILLER_PAGES pages."""
    used = sqlite_memory_used()
    path = tmp_path_factory.mktemp("pages") / "goals.db"
    goals = Goals(store_settings(database_url=f"sqlite:///{path}", audit_key=AUDIT_KEY,
                                 bounds=Bounds(sqlite_page_cache_kib=bound_kib)))
    try:
        # Written by a connection of no pool (closed after), so that no pool's connection has the pages yet.
        with contextlib.closing(sqlite3.connect(path)) as writer, writer:
            writer.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, content BLOB)")
            writer.execute(f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {FILLER_PAGES}) "
                           "INSERT INTO filler (content) SELECT randomblob(4000) FROM n")
        growth = {}
        with goals.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            growth["engine"] = read_filler(raw.cursor(), used)
        with goals.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            growth["event store"] = read_filler(cursor, used)
        return growth
    finally:
        goals.close()


def read_filler(cursor: object, used: Callable[[], int] | None) -> tuple[int, int]:
    execute = cursor.execute  # type: ignore[attr-defined]
    fetchone = cursor.fetchone  # type: ignore[attr-defined]
    execute("PRAGMA cache_size")
    cache_size = int(fetchone()[0])
    execute("SELECT count(*) FROM filler WHERE id = 1")  # the schema and the first pages read
    fetchone()
    before = used() if used else 0
    execute("SELECT sum(length(content)) FROM filler")  # every page of the table
    assert int(fetchone()[0]) == FILLER_PAGES * 4000
    return cache_size, (used() - before) if used else 0


def test_each_sqlite_connection_keeps_at_most_its_page_cache_past_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Both pools' connections are opened with the bound (PRAGMA cache_size in KiB); reading a table 32 times the
    bound grows SQLite's memory by about the bound, and a larger bound lets it grow by the table (the control)."""
    small_bound = SMALL.sqlite_page_cache_kib
    bounded = page_cache_growth(tmp_path_factory, small_bound)
    assert {pool: cache_size for pool, (cache_size, _) in bounded.items()} == {
        "engine": -small_bound, "event store": -small_bound}
    if sqlite_memory_used() is None or all(grew == 0 for _, grew in bounded.values()):
        pytest.skip("SQLite's memory counters are out of reach (a statically linked sqlite3 module)")
    assert all(grew < (small_bound + 256) * KIB for _, grew in bounded.values()), bounded
    unbounded = page_cache_growth(tmp_path_factory, 4 * KIB)
    assert all(grew > FILLER_PAGES * 4000 * 3 // 4 for _, grew in unbounded.values()), unbounded

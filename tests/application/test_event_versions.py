"""Stored events outlive their classes: an old version is read back upcast, and topics survive a moved class."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent

from application.audit.verification import verify_trail
from application.audit.chain import ChainingMapper
from application.goals.service import Goals
from domain.goal import Goal
from domain.values import Party, Status
from tests.conftest import AUDIT_KEY, store_settings
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, draft, drafting

ROOT = Path(__file__).resolve().parents[2]


def stored_as_version_1(goals: Goals, events: list[DomainEventProtocol]) -> list[StoredEvent]:  # type: ignore[type-arg]
    """The rows the code before AgreementSigned version 2 stored for these events, signature chain included."""
    plain = Mapper(transcoder=goals.mapper.transcoder)
    assert isinstance(goals.mapper, ChainingMapper)
    signing = ChainingMapper(goals.mapper.transcoder, goals.mapper.signer, last_stored=lambda _: [])
    rows = []
    for event in events:
        stored = plain.to_stored_event(event)
        state = json.loads(stored.state)
        if isinstance(event, Goal.AgreementSigned):
            del state["read_version"], state["class_version"]
        body = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
        old = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, body)
        # Signed as the code of that time stored them: the signature covers the version 1 bytes.
        signing.transcoder = _Verbatim(body)
        rows.append(signing.to_stored_event(event))
        signing.remember(rows[-1])
        assert rows[-1].state.startswith(old.state[:-1])
    return rows


class _Verbatim:
    """A transcoder that encodes any state as the bytes given (the old version's JSON)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def encode(self, _obj: object) -> bytes:
        return self.body


def agreed_by_old_code(goals: Goals) -> Goal:
    goal = Goal.draft(actor=EMPLOYEE, **drafting(customer_service_terms()))
    goal.sign(EMPLOYEE, read_version=1, today=goals.today())
    goal.sign(MANAGER, read_version=2, today=goals.today())
    goals.recorder.insert_events(stored_as_version_1(goals, goal.collect_events()))
    return goal


def test_a_version_1_signature_is_read_back_upcast(goals: Goals) -> None:
    goal = agreed_by_old_code(goals)
    raw = goals.recorder.select_events(goal.id, gt=1, lte=3)
    assert len(raw) == 2 and all("read_version" not in json.loads(row.state) for row in raw), "version 1 rows"
    signed = [e for e in goals.goal_events(goal.id) if isinstance(e, Goal.AgreementSigned)]
    assert [(e.party, e.content_version, e.read_version) for e in signed] == [("owner", 1, None), ("manager", 1, None)]
    loaded = goals.get_goal(goal.id)
    assert loaded.status == Status.AGREED and loaded.signatures[Party.MANAGER].content_version == 1
    assert verify_trail(goals).intact, "upcasting on load leaves the stored chain as it was"


def test_an_upcast_goal_takes_new_events_of_the_current_version(goals: Goals) -> None:
    goal = agreed_by_old_code(goals)
    goals.record_kpi(goal.id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=goals.today())
    later = draft(goals, customer_service_terms())
    goals.sign_goal(later, EMPLOYEE, read_version=1)
    [row] = goals.recorder.select_events(later, gt=1, lte=2)
    assert (json.loads(row.state)["class_version"], json.loads(row.state)["read_version"]) == (2, 1)
    assert goals.goal_events(later)[-1].read_version == 1  # type: ignore[attr-defined]
    assert verify_trail(goals).intact


def test_a_version_2_snapshot_holding_every_reading_loads_as_the_counted_readings(goals: Goals) -> None:
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    for value, day in ((15, date(2026, 1, 5)), (16, date(2026, 1, 12)), (17, date(2026, 1, 5))):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(value), observed_at=day)
    goal = goals.get_goal(goal_id)
    state = {**Snapshot.take(goal).state, "class_version": 2, "measurements": list(goals.readings(goal))}
    del state["readings"]
    plain = Mapper(transcoder=goals.mapper.transcoder)
    stored = plain.to_stored_event(Snapshot(originator_id=goal.id, originator_version=goal.version,  # type: ignore[call-arg]
                                            timestamp=goal.modified_on, topic=Snapshot.take(goal).topic, state=state))
    assert b'"measurements"' in stored.state and b'"readings"' not in stored.state
    loaded = plain.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert isinstance(loaded, Goal) and loaded.readings == goal.readings
    assert loaded.readings.counted_version("tickets", date(2026, 1, 5)) == goal.version
    assert loaded.readings.latest["tickets"].value == Decimal(16)
    assert not hasattr(loaded, "measurements")


def test_a_snapshot_keeps_the_counted_readings_not_the_series(goals: Goals) -> None:
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    for value in range(30):  # thirty corrections of one day: the goal keeps one version for it
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(value), observed_at=date(2026, 1, 5))
    state = json.loads(Mapper(transcoder=goals.mapper.transcoder).to_stored_event(
        Snapshot.take(goals.get_goal(goal_id))).state)["state"]
    readings = state["readings"]["_data_"]
    assert state["class_version"] == 3 and "measurements" not in state
    assert readings["versions"] == {"tickets": {"2026-01-05": 34}} and list(readings["latest"]) == ["tickets"]
    assert len(goals.readings(goals.get_goal(goal_id))) == 30, "the series is still there, read from the events"


READER = Path(__file__).with_name("read_relocated_goal.py")


def test_stored_topics_resolve_when_the_goal_class_is_moved_and_renamed(tmp_path: Path) -> None:
    database = tmp_path / "goals.db"
    settings = store_settings(database_url=f"sqlite:///{database}", audit_key=AUDIT_KEY)
    goals = Goals(settings, today=lambda: date(2026, 1, 15))
    try:
        goal_id = draft(goals, customer_service_terms())
        goals.sign_goal(goal_id, EMPLOYEE)
        goals.sign_goal(goal_id, MANAGER)
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("15.5"), observed_at=date(2026, 1, 10))
    finally:
        goals.close()
    done = subprocess.run([sys.executable, str(READER), str(ROOT), str(database), goal_id.hex],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                               "GOALENGINE_DATA_MASTER_KEY_FILE": os.environ["GOALENGINE_DATA_MASTER_KEY_FILE"]})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["class"] == "relocated.objectives.PersonalObjective" and not seen["old_module_loaded"]
    assert seen["topics"] == ["goalengine:Goal.Agreed", "goalengine:Goal.AgreementSigned",
                              "goalengine:Goal.Drafted", "goalengine:Goal.KpiRecorded"]
    assert (seen["title"], seen["status"], seen["version"], seen["readings"]) == (
        "Support throughput and satisfaction", "agreed", 5, ["15.5"])

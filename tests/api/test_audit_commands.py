"""The verify and replay commands, run as `goalengine ...` against the test store."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from api.cli import main
from application.goals.warnings import WarningLedger
from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.goal_warnings import Evidence, PaceChange
from domain.values import Actor, Role
from tests.application import tampering
from tests.conftest import AUDIT_KEY, Clock
from tests.projections.fairness_seed import Team, seed_team
from tests.scenarios import EMPLOYEE, HR, MANAGER, agreed, customer_service_terms


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, store_url: str) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.setenv("GOALENGINE_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps tables to the terminal's width


@pytest.fixture
def goal(goals: Goals) -> UUID:
    goal_id = agreed(goals, customer_service_terms())
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 1, 10))
    goals.propose_recalibration(goal_id, MANAGER, reason="external_factor",
                                justification="A ticketing outage cost two weeks.",
                                targets={"tickets": {"target": Decimal(19)}})
    goals.approve_recalibration(goal_id, HR, "r1", note="Checked against the evidence.")
    return goal_id


def test_verify_prints_the_digest_and_count_of_an_intact_trail(goal: UUID, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "intact: 10 events up to position 10"  # the test cycles' three, the goal's seven in out
    assert "digest: " in out


def test_verify_exits_1_naming_the_first_bad_event(
    goals: Goals, goal: UUID, capsys: pytest.CaptureFixture[str]
) -> None:
    tampering.change_value(goals, goal, 5, "value", {"_type_": "decimal_str", "_data_": "21"})
    assert main(["verify"]) == 1
    assert f"TAMPERED (changed) at position 8: goal {goal}, version 5" in capsys.readouterr().out


def test_verify_checks_a_recorded_digest_at_its_position(
    goals: Goals, goal: UUID, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["verify", "--position", "5"])
    digest = capsys.readouterr().out.split("digest: ")[1].strip()
    assert main(["verify", "--position", "5", "--expect-digest", digest]) == 0
    tampering.delete_event(goals, goal, 7)
    assert main(["verify", "--position", "7", "--expect-digest", digest]) == 1
    assert "TAMPERED (digest_mismatch)" in capsys.readouterr().out


def test_verify_refuses_a_position_the_log_has_not_reached(goal: UUID, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--position", "99"]) == 2
    assert "position 99 is not in the log: it runs from 0 to 10" in capsys.readouterr().out


def test_replay_prints_who_changed_what_and_the_state_at_the_end(
    goal: UUID, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", str(goal)]) == 0
    out = capsys.readouterr().out
    assert "kpis.tickets.target: 20 -> 19" in out
    assert "measurements.tickets@2026-01-10: — -> 16.5" in out
    assert "target tickets" in out and "increase: target 19 tickets/day" in out


def test_replay_before_the_goal_existed_says_so(goal: UUID, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(goal), "--as-of", "2000-01-01T00:00:00"]) == 1
    assert "did not exist yet at 2000-01-01T00:00:00+00:00" in capsys.readouterr().out


def test_replay_of_an_unknown_goal_fails_clearly(goal: UUID, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "00000000-0000-0000-0000-000000000000"]) == 1
    assert "not found" in capsys.readouterr().out


def test_replay_rejects_a_malformed_goal_id(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["replay", "not-a-uuid"])
    assert "'not-a-uuid' is not a goal id" in capsys.readouterr().err


@pytest.fixture
def teams(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 2, eased=1))
    seed_team(goals, clock, Team("mgr-b", 2, tightened=1))


def test_fairness_as_json_is_the_canonical_report(teams: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "2026-H1", "--report-version", "1", "--format", "json"]) == 0
    printed = capsys.readouterr().out.strip()
    body = json.loads(printed)
    assert [g["group"] for g in body["groups"]] == ["mgr-a", "mgr-b"]
    assert printed == json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_fairness_as_csv_has_a_row_per_group(teams: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "2026-H1", "--report-version", "1", "--group-by", "org_unit",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["group"], r["goals"], r["eased"], r["tightened"]) for r in rows] == [
        ("unit-mgr-a", "2", "1", "0"), ("unit-mgr-b", "2", "0", "1")]


def test_fairness_as_a_table_states_the_test_and_the_hash(teams: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "2026-H1", "--report-version", "1"]) == 0
    out = capsys.readouterr().out
    assert "disparity test: fisher_exact, p = 1.0; flagged: none" in out
    assert "four-eyes violations: 0" in out and "hash: " in out


def test_fairness_refuses_a_position_beyond_the_log(teams: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "2026-H1", "--position", "999"]) == 2
    assert "position 999 is not in the log" in capsys.readouterr().out


def test_replay_of_a_review_prints_each_step(goals: Goals, capsys: pytest.CaptureFixture[str]) -> None:
    ReviewDecisions(goals).assess_self("emp-1", "2026-H1", Actor("emp-1", Role.EMPLOYEE), text="A good half.")
    assert main(["replay", "--review", "emp-1", "--cycle", "2026-H1"]) == 0
    printed = capsys.readouterr().out
    assert "Review of emp-1 in 2026-H1" in printed and "Review.SelfAssessed" in printed
    assert main(["replay", "--review", "emp-2", "--cycle", "2026-H1"]) == 1


def test_replay_of_a_goal_lists_its_early_warnings(
    goal: UUID, goals: Goals, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = Evidence(goals.head_position(), (f"{goal}:1",))
    WarningLedger(goals).record(str(goal), PaceChange("behind"), evidence, today=date(2026, 1, 15))
    assert main(["replay", str(goal)]) == 0
    printed = capsys.readouterr().out
    assert "Early warnings" in printed and "PaceChanged" in printed and f"{goal}:1" in printed

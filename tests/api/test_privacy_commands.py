"""The privacy commands, run as `goalengine ...` against the test store: erase, export-person, retention, migrate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from application.goals.service import Goals
from application.privacy.registry import ERASED
from tests.application.privacy.support import TEXTS, employee_with_history, locked_on
from tests.conftest import AUDIT_KEY, Clock


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, store_url: str) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.setenv("GOALENGINE_AUDIT_KEY", AUDIT_KEY.decode())


def test_export_then_erase_then_export_again(
    goals: Goals, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    goal_id = employee_with_history(goals, clock)
    assert main(["export-person", "emp-1", "--out", str(tmp_path / "emp-1.json")]) == 0
    exported = (tmp_path / "emp-1.json").read_text()
    assert [name for name, text in TEXTS.items() if text not in exported] == []
    assert main(["erase", "emp-1", "--reason", "GDPR article 17 request", "--by", "hr-7"]) == 0
    assert "erased emp-1: 1 data key(s) deleted" in capsys.readouterr().out
    goals.data_keys.refresh_seconds = 0
    goal = goals.get_goal(goal_id)
    assert goal.terms.rationale == ERASED and goal.summary == TEXTS["summary"]  # the manager wrote the summary
    assert main(["export-person", "emp-1"]) == 0
    export = json.loads(capsys.readouterr().out)
    assert [e["data"]["reason"] for e in export["erasures"]] == ["GDPR article 17 request"]
    assert main(["verify"]) == 0


def test_retention_dry_run_lists_what_the_run_erases(
    goals: Goals, clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    employee_with_history(goals, clock)
    locked_on(goals, "2026-H1", date(2026, 6, 30))
    monkeypatch.setenv("GOALENGINE_RETENTION_YEARS", "3")
    assert main(["retention", "run", "--dry-run", "--today", "2029-07-01"]) == 0
    dry = capsys.readouterr().out
    assert main(["retention", "run", "--today", "2029-07-01"]) == 0
    real = capsys.readouterr().out
    assert dry.replace("would erase", "erased") == real
    assert "erased emp-1: retention: 3 years after cycle 2026-H1 was locked on 2026-06-30" in real
    assert main(["retention", "run", "--today", date(2029, 7, 1).isoformat()]) == 0
    assert capsys.readouterr().out == "0 person(s) erased\n"


def test_privacy_migrate_has_nothing_to_do_on_a_sealed_store(
    goals: Goals, clock: Clock, capsys: pytest.CaptureFixture[str]
) -> None:
    employee_with_history(goals, clock)
    assert main(["privacy", "migrate"]) == 0
    assert "nothing to migrate" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["erase", "emp-1", "--reason", "r"], ["export-person", "emp-1"],
                                     ["retention", "run", "--dry-run"], ["privacy", "migrate"]])
def test_without_the_data_master_key_each_command_exits_2_naming_it(
    goals: Goals, command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOALENGINE_DATA_MASTER_KEY_FILE")
    assert main(command) == 2
    assert "GOALENGINE_DATA_MASTER_KEY_FILE" in capsys.readouterr().err


def test_without_a_store_the_commands_exit_2_creating_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    assert main(["erase", "emp-1", "--reason", "r"]) == 2
    assert "GOALENGINE_DATABASE_URL" in capsys.readouterr().err and not (tmp_path / "missing.db").exists()


def test_retention_without_a_policy_exits_2_naming_the_setting(
    goals: Goals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOALENGINE_RETENTION_YEARS", raising=False)
    assert main(["retention", "run", "--dry-run"]) == 2
    assert "GOALENGINE_RETENTION_YEARS" in capsys.readouterr().err

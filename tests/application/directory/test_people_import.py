"""`people import`: a CSV file checked whole, stored whole or not at all, a second run storing nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from application.directory.importing import import_people
from application.directory.service import Directory
from application.goals.service import Goals
from application.store.store_turn import StoreTurn
from domain.values import Role
from tests.scenarios import HR

HEADER = "id,user_name,display_name,email,title,org_unit,manager_id,groups,active\n"
ORGANISATION = HEADER + (
    "emp-dev,dev,Devika Rao,dev@example.com,Engineer,sales,mgr-ana,,true\n"
    "mgr-ana,ana,Ana Lima,ana@example.com,Team lead,sales,head,,true\n"  # a manager may come after her report
    "head,head,Hana Ito,head@example.com,Head of sales,sales,,,\n"
    "hr-hal,hal,Hal Berg,hal@example.com,HR partner,people,head,HR;Auditors,yes\n"
)
TODAY = date(2026, 1, 15)


def run(goals: Goals, text: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return import_people(Directory(goals), text, HR, today=TODAY, dry_run=dry_run)


def test_a_file_is_stored_whole_and_a_second_run_stores_nothing(goals: Goals) -> None:
    first = run(goals, ORGANISATION)
    assert first.refusals == [] and first.position is not None
    directory = Directory(goals)
    assert directory.person("emp-dev").manager_id == "mgr-ana"  # type: ignore[union-attr]
    assert directory.roles_of("hr-hal") == {Role.EMPLOYEE, Role.HR, Role.AUDITOR}
    assert directory.roles_of("mgr-ana") == {Role.EMPLOYEE, Role.MANAGER}
    head = goals.recorder.max_notification_id()
    again = run(goals, ORGANISATION)
    assert (again.changes, again.position, goals.recorder.max_notification_id()) == ([], None, head)


def test_a_changed_file_records_only_what_changed(goals: Goals) -> None:
    run(goals, ORGANISATION)
    moved = ORGANISATION.replace("emp-dev,dev,Devika Rao,dev@example.com,Engineer,sales,mgr-ana,,true",
                                 "emp-dev,dev,Devika Rao,dev@example.com,Lead,sales,head,HR,false")
    plan = run(goals, moved)
    assert sorted(plan.changes) == ["group hr: MembershipChanged", "person emp-dev: Deactivated",
                                    "person emp-dev: ReportingLineChanged", "person emp-dev: Updated"]
    person = Directory(goals).person("emp-dev")
    assert person is not None and (person.manager_id, person.active, person.details.title) == ("head", False, "Lead")


@pytest.mark.parametrize(("row", "reason"), [
    ("emp-x,x,X,x@example.com,,sales,ghost,,true", "unknown manager 'ghost'"),
    ("emp-x,dev,X,x@example.com,,sales,head,,true", "user_name 'dev' also appears on line 2"),
    ("emp\u200bdev,x,X,x@example.com,,sales,head,,true", "is not a plain id (a look-alike"),
    ("emp-x,x,X,x@example.com,,sales,emp-de\u0301v,,true", "is not a plain id (a look-alike"),
    ("emp-x,x,X,x@example.com,,sales,head,,maybe", "active 'maybe' is neither true nor false"),
    ("emp-dev,x,X,x@example.com,,sales,head,,true", "id 'emp-dev' also appears on line 2"),
])
def test_every_refused_row_is_reported_with_its_line_and_nothing_is_stored(bare_goals: Goals, row: str,
                                                                           reason: str) -> None:
    plan = run(bare_goals, ORGANISATION + row + "\n")
    assert [line for line, text in plan.refusals if reason in text] == [6], plan.refusals
    assert plan.position is None and bare_goals.recorder.max_notification_id() in (None, 0)


def test_a_reporting_loop_is_refused(goals: Goals) -> None:
    run(goals, ORGANISATION)
    plan = run(goals, HEADER + "head,head,Hana Ito,head@example.com,Head of sales,sales,emp-dev,,true\n")
    assert [line for line, reason in plan.refusals if "reporting loop" in reason] == [2]


def test_a_taken_user_name_of_someone_outside_the_file_is_refused(goals: Goals) -> None:
    run(goals, ORGANISATION)
    plan = run(goals, HEADER + "emp-new,DEV,New,new@example.com,,sales,head,,true\n")
    assert plan.refusals == [(2, "user_name 'DEV' is taken by 'emp-dev'")]


def test_the_command_prints_what_a_dry_run_would_change_and_then_stores_it(
        goals: Goals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", goals.settings.database_url)
    people = tmp_path / "people.csv"
    people.write_text(ORGANISATION)
    head = goals.recorder.max_notification_id()
    assert main(["people", "import", str(people), "--dry-run"]) == 0
    assert "would record person emp-dev: Provisioned" in capsys.readouterr().out
    assert goals.recorder.max_notification_id() == head
    assert main(["people", "import", str(people)]) == 0
    assert "recorded group auditors: Created" in capsys.readouterr().out
    assert main(["people", "import", str(people)]) == 0
    assert "nothing to change" in capsys.readouterr().out
    people.write_text(HEADER + "emp-x,x,X,x@example.com,,sales,ghost,,true\n")
    assert main(["people", "import", str(people)]) == 1
    assert f"{people}:2: unknown manager 'ghost'" in capsys.readouterr().out


def test_the_command_beside_a_server_holding_the_directory_s_turn_stores_nothing_and_says_so(
        goals: Goals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A server (its own turn of the store, as another process has) holds the turn past the command's wait."""
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", goals.settings.database_url)
    monkeypatch.setattr(StoreTurn.__init__, "__defaults__", (0.05,))  # the command waits 50 ms, not 30 s
    people = tmp_path / "people.csv"
    people.write_text(ORGANISATION)
    head = goals.recorder.max_notification_id()
    with Directory(goals).turn.held():
        assert main(["people", "import", str(people)]) == 1
        assert "held the store's directory turn" in capsys.readouterr().out
        assert main(["people", "import", str(people), "--dry-run"]) == 0  # it stores nothing: it takes no turn
    assert goals.recorder.max_notification_id() == head

"""GET /fairness/report and `goalengine fairness` (report version 2, ADR 0041/0042): formats, 404 / exit 2, no
data key, every statistic in the CSV, the packet's sentence and funnel plot."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.cli import main
from application.goals.service import Goals
from domain.values import Actor, Role
from tests.conftest import AUDIT_KEY, Clock
from tests.projections.fairness_seed import Team, seed_team
from tests.scenarios import AUDITOR, EMPLOYEE, HR, MANAGER

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def goals(app: FastAPI) -> Goals:
    app_goals: Goals = app.state.goals
    return app_goals


@pytest.fixture
def teams(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 3, eased=2))
    seed_team(goals, clock, Team("mgr-b", 3, tightened=1))


def test_hr_and_auditors_get_the_signed_report_and_nobody_else(client: TestClient, auth: Auth, teams: None) -> None:
    response = client.get("/fairness/report", params={"cycle": "2026-H1", "strata": "org_unit"}, headers=auth(HR))
    assert response.status_code == 200
    body = response.json()
    assert (body["report_version"], body["strata"], body["provisional"]) == (2, "org_unit", True)
    again = client.get("/fairness/report", params={"cycle": "2026-H1", "strata": "org_unit",
                                                   "position": body["position"]}, headers=auth(AUDITOR))
    assert again.content == response.content
    for caller in (EMPLOYEE, MANAGER):
        assert client.get("/fairness/report", params={"cycle": "2026-H1"}, headers=auth(caller)).status_code == 403


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"cycle": "1999-H1"}, 404, "cycle_not_found"),
    ({"cycle": "2026-H1", "group_by": "attribute:sex"}, 403, "role_not_allowed"),
    ({"cycle": "2026-H1", "group_by": "weather"}, 422, "invalid_request"),
    ({"cycle": "2026-H1", "report_version": 7}, 422, "invalid_request"),
    ({"cycle": "2026-H1", "position": 10**9}, 422, "position_out_of_range"),
])
def test_bad_requests_are_named(client: TestClient, auth: Auth, params: dict[str, object], status: int,
                                code: str) -> None:
    response = client.get("/fairness/report", params=params, headers=auth(HR))
    assert response.status_code == status
    assert response.json()["code"] == code


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, store_url: str) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.setenv("GOALENGINE_AUDIT_KEY", AUDIT_KEY.decode())
    monkeypatch.setenv("COLUMNS", "200")


def test_the_cli_prints_json_csv_table_and_html(environment: None, teams: None,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "2026-H1", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert main(["fairness", "--cycle", "2026-H1", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    eased = [r for r in rows if r["measure"] == "eased"]
    assert {r["group"] for r in eased} == {"mgr-a", "mgr-b"}
    for column in ("p_value", "holm_p_value", "bh_q_value", "wilson_low", "rate_ratio_low", "mdr_higher",
                   "impact_ratio_vs_highest", "status", "direction", "caveats"):
        assert column in eased[0]
    assert main(["fairness", "--cycle", "2026-H1"]) == 0
    table = capsys.readouterr().out
    assert table.startswith(body["summary"]) and f"hash: {body['hash']}" in table
    assert main(["fairness", "--cycle", "2026-H1", "--format", "html"]) == 0
    html = capsys.readouterr().out
    assert f'<p class="summary">{body["summary"]}.</p>' in html and "Provisional" in html
    assert html.count('class="limit') == 4 and "99.8%" in html


def test_an_unknown_cycle_exits_2(environment: None, goals: Goals, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fairness", "--cycle", "1999-H1"]) == 2
    assert "no cycle '1999-H1'" in capsys.readouterr().out


def test_the_cli_runs_without_the_data_master_key(environment: None, teams: None, store_url: str) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if k != "GOALENGINE_DATA_MASTER_KEY_FILE"}
    done = subprocess.run([sys.executable, "-m", "api.cli", "fairness", "--cycle", "2026-H1", "--format", "json"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["report_version"] == 2


ANALYST = Actor("eq-1", Role.EQUALITY_ANALYST)


def test_only_the_equality_analyst_reads_by_attribute_and_only_that(client: TestClient, auth: Auth, goals: Goals,
                                                                    teams: None) -> None:
    from application.equality.attributes import import_attributes, take_snapshot

    import_attributes(goals, "person_id,sex\n" + "".join(f"mgr-a-report-{i},f\nmgr-b-report-{i},m\n"
                                                          for i in range(3)))
    take_snapshot(goals, "2026-H1")
    by_sex = {"cycle": "2026-H1", "group_by": "attribute:sex"}
    response = client.get("/fairness/report", params=by_sex, headers=auth(ANALYST))
    assert response.status_code == 200
    assert all(row["suppressed"] for row in response.json()["measures"]["eased"]["groups"])  # 3 and 3 < 10
    for caller in (HR, AUDITOR):
        assert client.get("/fairness/report", params=by_sex, headers=auth(caller)).status_code == 403
    assert client.get("/fairness/report", params={"cycle": "2026-H1"}, headers=auth(ANALYST)).status_code == 403
    unknown = client.get("/fairness/report", params={**by_sex, "cycle": "1999-H1"}, headers=auth(ANALYST))
    assert unknown.status_code == 404


def test_people_attributes_import_erase_and_snapshot_from_the_cli(environment: None, goals: Goals, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,sex\na,f\n", encoding="utf-8")
    assert main(["people", "attributes", "import", str(bad)]) == 2
    assert "nothing was stored" in capsys.readouterr().out
    good = tmp_path / "hris.csv"
    good.write_text("person_id,sex,age_band\nemp-1,f,30_39\nemp-2,m,\n", encoding="utf-8")
    assert main(["people", "attributes", "import", str(good)]) == 0
    assert "3 values stored" in capsys.readouterr().out
    assert main(["people", "attributes", "snapshot", "--cycle", "2026-H1"]) == 0
    assert "cycle 2026-H1: 3 values, sha256 " in capsys.readouterr().out
    assert main(["people", "attributes", "erase", "emp-1"]) == 0
    assert "2 values of emp-1 erased" in capsys.readouterr().out


def test_the_cli_prints_the_report_by_attribute_in_every_format(environment: None, goals: Goals, teams: None,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from application.equality.attributes import import_attributes, take_snapshot

    import_attributes(goals, "person_id,sex\n" + "".join(f"mgr-a-report-{i},f\nmgr-b-report-{i},m\n"
                                                          for i in range(3)))
    take_snapshot(goals, "2026-H1")
    by_sex = ["fairness", "--cycle", "2026-H1", "--group-by", "attribute:sex"]
    assert main([*by_sex, "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["min_cell"] == 10 and body["summary"].startswith("by sex, 0 groups shown, 2 hidden")
    for form in ("table", "csv", "html"):
        assert main([*by_sex, "--format", form]) == 0
        assert "mgr-a-report" not in capsys.readouterr().out
    assert main(["fairness", "--cycle", "2026-H1", "--group-by", "attribute:Bad Name"]) == 2


def test_the_minimum_cell_comes_from_the_environment_and_never_goes_below_5(
    client: TestClient, auth: Auth, goals: Goals, teams: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from application.equality.attributes import import_attributes, take_snapshot

    import_attributes(goals, "person_id,sex\n" + "".join(f"mgr-a-report-{i},f\nmgr-b-report-{i},m\n"
                                                          for i in range(3)))
    take_snapshot(goals, "2026-H1")
    monkeypatch.setenv("GOALENGINE_FAIRNESS_MIN_CELL", "2")
    body = client.get("/fairness/report", params={"cycle": "2026-H1", "group_by": "attribute:sex"},
                      headers=auth(ANALYST)).json()
    assert body["min_cell"] == 5
    assert all(row["suppressed"] for row in body["measures"]["eased"]["groups"])  # 3 and 3, under 5

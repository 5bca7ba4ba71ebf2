"""`goalengine audit export --cycle` and docs/audit/recompute_fairness.py (ADR 0041): the standalone script
recomputes the served report byte for byte from the export, and refuses an export that was altered or trimmed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from application.fairness.export import export_cycle
from application.fairness.report import fairness_report
from application.fairness.standalone import script_text
from application.goals.service import Goals
from tests.application.fairness.cycle_seed import seed_cycle
from tests.conftest import PUBLIC_KEY_FILE, Clock

ROOT = Path(__file__).parents[3]
SCRIPT = ROOT / "docs" / "audit" / "recompute_fairness.py"


def recompute(tmp_path: Path, export: dict[str, Any], *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    # run from an empty folder with a bare interpreter path: nothing of goalengine is importable but the script
    return subprocess.run([sys.executable, "-I", str(SCRIPT), str(path), "--public-key", PUBLIC_KEY_FILE, *args],
                          capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)


def test_the_script_is_generated_from_the_reports_own_modules() -> None:
    assert SCRIPT.read_text(encoding="utf-8") == script_text(), (
        "regenerate: python -m application.fairness.standalone > docs/audit/recompute_fairness.py")


def test_the_script_recomputes_each_report_byte_for_byte(goals: Goals, clock: Clock, tmp_path: Path) -> None:
    seed_cycle(goals, clock)
    export = export_cycle(goals, "2026-H1")
    for group_by in ("manager", "org_unit", "decider"):
        done = recompute(tmp_path, export, "--group-by", group_by)
        assert done.returncode == 0, done.stderr
        served = fairness_report(goals, "2026-H1", group_by, position=export["position"])
        assert done.stdout.encode() == served.canonical() + b"\n"
    stratified = recompute(tmp_path, export, "--strata", "reason")
    assert stratified.returncode == 0, stratified.stderr
    expected = fairness_report(goals, "2026-H1", strata="reason", position=export["position"]).body
    assert json.loads(stratified.stdout)["hash"] == expected["hash"]


def test_an_altered_event_is_refused(goals: Goals, clock: Clock, tmp_path: Path) -> None:
    seed_cycle(goals, clock)
    export = export_cycle(goals, "2026-H1")
    event = next(e for e in export["events"] if b"Recalibrated" in base64.b64decode(e["leaf_input"]))
    event["leaf_input"] = base64.b64encode(base64.b64decode(event["leaf_input"]).replace(
        b'"18"', b'"15"')).decode()
    done = recompute(tmp_path, export)
    assert done.returncode == 1 and "inclusion proof does not lead" in done.stderr


def test_a_left_out_event_is_refused(goals: Goals, clock: Clock, tmp_path: Path) -> None:
    seed_cycle(goals, clock)
    export = export_cycle(goals, "2026-H1")
    export["events"] = [e for e in export["events"] if b"Recalibrated" not in base64.b64decode(e["leaf_input"])]
    done = recompute(tmp_path, export)
    assert done.returncode == 1 and "follows version" in done.stderr


def test_a_report_that_differs_from_the_signed_one_is_refused(goals: Goals, clock: Clock, tmp_path: Path) -> None:
    seed_cycle(goals, clock)
    export = export_cycle(goals, "2026-H1")
    export["reports"]["manager"]["signature"] = export["reports"]["org_unit"]["signature"]
    done = recompute(tmp_path, export)
    assert done.returncode == 1 and "differs" in done.stderr


@pytest.mark.parametrize("argv", [["--cycle", "1999-H1"], []])
def test_the_export_command_refuses_an_unknown_cycle(goals: Goals, argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                                     store_url: str) -> None:
    from api.cli import main

    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    assert main(["audit", "export", *argv]) == 2


def test_the_export_command_writes_the_export(goals: Goals, clock: Clock, monkeypatch: pytest.MonkeyPatch,
                                              store_url: str, tmp_path: Path) -> None:
    from api.cli import main

    seed_cycle(goals, clock)
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    out = tmp_path / "cycle.json"
    assert main(["audit", "export", "--cycle", "2026-H1", "--out", str(out)]) == 0
    export = json.loads(out.read_text(encoding="utf-8"))
    assert export["format"] == "goalengine-fairness-export/v1" and export["cycle"] == "2026-H1"
    assert recompute(tmp_path, export).returncode == 0

"""A bundle commits to the goal's head (issue 23, item 4): the standalone verifier checks every field and fails on
a truncated, reordered or relabelled bundle."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.cli import main
from application.goals.service import Goals
from tests.api.test_audit_keys_and_proofs_cli import environment, run_verifier  # noqa: F401 (a fixture)
from tests.conftest import PUBLIC_KEY_FILE
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, survey_terms


@pytest.fixture
def bundle(goals: Goals, tmp_path: Path) -> dict[str, Any]:
    goal_id = agreed(goals, customer_service_terms())
    for day in (10, 11):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    agreed(goals, survey_terms())
    assert main(["audit", "export", str(goal_id), "--out", "bundle.json"]) == 0
    exported: dict[str, Any] = json.loads((tmp_path / "bundle.json").read_text())
    return exported


def verdict(tmp_path: Path, bundle: dict[str, Any]) -> tuple[int, str]:
    (tmp_path / "edited.json").write_text(json.dumps(bundle))
    done = run_verifier(tmp_path / "edited.json", PUBLIC_KEY_FILE)
    return done.returncode, done.stdout + done.stderr


def drop_last(b: dict[str, Any]) -> None:
    b["events"].pop()


def drop_last_and_lower_the_head(b: dict[str, Any]) -> None:
    b["events"].pop()
    b["head"]["version"] -= 1


def swap_two(b: dict[str, Any]) -> None:
    b["events"][2], b["events"][3] = b["events"][3], b["events"][2]


def relabel_topic(b: dict[str, Any]) -> None:
    b["events"][1]["topic"] = "goalengine:Goal.Closed"


def other_tree_size(b: dict[str, Any]) -> None:
    b["tree_size"] -= 1


def other_origin(b: dict[str, Any]) -> None:
    b["origin"] = "elsewhere.example/log"


def extra_field(b: dict[str, Any]) -> None:
    b["events"][0]["note"] = "trust me"


def old_format(b: dict[str, Any]) -> None:
    b["format"] = "goalengine-audit-bundle/v1"
    del b["head"]


@pytest.mark.parametrize(("edit", "says"), [
    (drop_last, "events were dropped"),
    (drop_last_and_lower_the_head, "the head's signature does not hold"),
    (swap_two, "expected version 3"),
    (relabel_topic, "differs from its leaf input"),
    (other_tree_size, "tree size"),
    (other_origin, "origin"),
    (extra_field, "exactly the fields"),
    (old_format, "exactly the fields"),
])
def test_an_edited_bundle_fails_the_standalone_verifier(
    bundle: dict[str, Any], tmp_path: Path, edit: Callable[[dict[str, Any]], None], says: str
) -> None:
    assert verdict(tmp_path, bundle)[0] == 0
    edit(bundle)
    status, output = verdict(tmp_path, bundle)
    assert status == 1 and "NOT VERIFIED" in output and says in output, output


def test_the_bundle_names_the_goals_last_version_signed_with_its_tree(bundle: dict[str, Any]) -> None:
    assert bundle["format"] == "goalengine-audit-bundle/v2"
    assert bundle["head"]["version"] == len(bundle["events"]) == 6
    assert [e["version"] for e in bundle["events"]] == [1, 2, 3, 4, 5, 6]
    assert UUID(bundle["goal_id"])

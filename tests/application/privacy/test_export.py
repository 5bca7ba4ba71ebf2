"""Subject access: the export holds every text a person wrote or that was written about them, opened."""

from __future__ import annotations

import json

from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.export import export_person
from application.privacy.registry import ERASED
from tests.application.privacy.support import TEXTS, texts_of, employee_with_history, other_employee_goal
from tests.conftest import Clock
from tests.scenarios import HR


def test_the_export_of_a_person_holds_every_text_they_wrote_or_that_was_written_about_them(
    goals: Goals, clock: Clock
) -> None:
    goal_id = employee_with_history(goals, clock)
    other_employee_goal(goals)
    export = export_person(goals, "emp-1")
    text = json.dumps(export)
    assert [name for name, value in TEXTS.items() if value not in text] == []
    assert "Rationale of emp-2" not in text
    assert {a["id"] for a in export["aggregates"]} >= {str(goal_id)}
    assert [s["data"]["party"] for s in export["signatures"]] == ["owner"]
    assert [r["data"]["value"] for r in export["readings"]] == ["16.5", "88"]


def test_a_manager_s_export_holds_what_they_wrote_on_their_reports_goals(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    export = export_person(goals, "mgr-1")
    written = json.dumps(export["written_about_others"])
    assert TEXTS["justification"] in written and TEXTS["summary"] in written
    assert [s["data"]["party"] for s in export["signatures"]] == ["manager"]


def test_after_an_erasure_the_export_shows_the_marker_and_the_notice(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    export = export_person(goals, "emp-1")
    text = json.dumps(export)
    assert [name for name, value in texts_of("emp-1").items() if value in text] == [] and ERASED in text
    assert TEXTS["summary"] in text  # the manager wrote it (ADR 0051): erasing emp-1 leaves it
    assert [(e["data"]["reason"], e["actor_id"]) for e in export["erasures"]] == [("GDPR article 17 request", HR.id)]

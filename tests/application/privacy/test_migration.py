"""`privacy migrate`: a store written before ADR 0026 gets its personal text sealed, and its trail verifies."""

from __future__ import annotations

from application.audit.log import audit_log
from application.audit.migration import migration_records
from application.audit.verification import verify_trail
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.migration import migrate_personal_fields
from application.privacy.registry import ERASED
from application.store.settings import Settings
from tests.application.privacy.support import TEXTS, employee_with_history
from tests.conftest import Clock
from tests.scenarios import HR


def raw_log(goals: Goals) -> bytes:
    return b"".join(bytes(n.state) for n in goals.recorder.select_notifications(0, 1000))


def test_a_store_with_plaintext_personal_text_is_sealed_and_still_verifies(settings: Settings, clock: Clock) -> None:
    old = Goals(settings, today=clock)
    old.mapper.personal = None  # type: ignore[attr-defined]  # writes as before ADR 0026: text in the clear
    goal_id = employee_with_history(old, clock)
    audit_log(old).checkpoint()
    old.close()
    goals = Goals(settings, today=clock)
    try:
        assert TEXTS["summary"].encode() in raw_log(goals)
        result = migrate_personal_fields(goals)
        # The 7 goal texts, a second justification, a rationale, a check-in's 3 texts and the review's 5.
        assert result.fields == 17 and result.checkpoint is not None
        assert not [name for name, text in TEXTS.items() if text.encode() in raw_log(goals)]
        assert verify_trail(goals).intact and goals.get_goal(goal_id).summary == TEXTS["summary"]
        assert audit_log(goals).checkpoint()  # the tree and checkpoints start again from the rewritten rows
        assert "personal text sealed" in str(migration_records(goals)[-1]["record"])
        assert migrate_personal_fields(goals).fields == 0  # a second run finds nothing to do
        erase_person(goals, "emp-1", HR, "request")  # sealed under each author's key (ADR 0051): emp-1's text only
        goal = goals.get_goal(goal_id)
        assert goal.terms.rationale == ERASED and goal.summary == TEXTS["summary"] and verify_trail(goals).intact
    finally:
        goals.close()

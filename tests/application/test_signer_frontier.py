"""The signer signs only roots it computed from verified event rows (ADR 0038): stored tree nodes, leaves and
frontiers are a cache an editor of the database can rewrite, and none of them changes what is signed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import update

from application.audit import tree
from application.audit.frontier import frontiers
from application.audit.leaf import leaf_input
from application.audit.log import CheckpointNotSignedError, audit_log, signed_checkpoints
from application.audit.merkle import leaf_hash, root_of
from application.audit.note import verify_checkpoint
from application.goals.service import Goals
from application.store.settings import Settings
from tests.conftest import SIGNER, Clock
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, survey_terms


def rows_root(goals: Goals, size: int | None = None) -> bytes:
    rows = goals.recorder.select_notifications(0, 1000)[:size]
    return root_of([leaf_hash(leaf_input(r.originator_id, r.originator_version, r.topic, r.state)) for r in rows])


@pytest.fixture
def reopened(settings: Settings, clock: Clock) -> Iterator[list[Goals]]:
    """Applications opened later over the same store (a restarted server), closed at the end."""
    opened: list[Goals] = []
    yield opened
    for app in opened:
        app.close()


def restart(goals: Goals, reopened: list[Goals]) -> Goals:
    app = Goals(goals.settings)
    reopened.append(app)
    return app


def test_edited_nodes_never_lead_to_a_signed_root_the_events_do_not_produce(goals: Goals) -> None:
    goal = agreed(goals, customer_service_terms())
    log = audit_log(goals)
    signed = log.checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(update(tree.tree_nodes).values(hash=b"A" * 32))
    assert log.checkpoint() == signed
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(3), observed_at=date(2026, 1, 5))
    assert verify_checkpoint(log.checkpoint(), [SIGNER.public]).root == rows_root(goals)
    with pytest.raises(tree.TamperDetectedError) as raised:
        log.consistency(7, 8)
    assert raised.value.finding.kind == "tree_mismatch"


def test_an_old_size_answers_only_the_checkpoint_signed_then_never_a_new_signature(goals: Goals) -> None:
    goal = agreed(goals, customer_service_terms())
    log = audit_log(goals)
    then = log.checkpoint()
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(3), observed_at=date(2026, 1, 5))
    log.checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(update(tree.tree_nodes).values(hash=b"A" * 32))
    assert log.checkpoint(7) == then
    with pytest.raises(tree.TamperDetectedError, match="the tree tables were rewritten"):
        log.proof(goal, 1, 7)
    for size in (1, 5, 6):
        with pytest.raises(CheckpointNotSignedError, match=f"no checkpoint was signed at tree size {size}"):
            log.checkpoint(size)
    with goals.engine.connect() as connection:
        sizes = sorted(int(r.tree_size) for r in connection.execute(signed_checkpoints.select()))
    assert sizes == [7, 8]


def test_a_restarted_signer_continues_from_its_signed_frontier_not_from_the_stored_tree(
    goals: Goals, reopened: list[Goals]
) -> None:
    goal = agreed(goals, customer_service_terms())
    audit_log(goals).checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(update(tree.tree_nodes).values(hash=b"A" * 32))
        connection.execute(update(tree.tree_leaves).values(version=tree.tree_leaves.c.version + 100))
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(3), observed_at=date(2026, 1, 5))
    later = restart(goals, reopened)
    note = audit_log(later).checkpoint()
    assert verify_checkpoint(note, [SIGNER.public]).root == rows_root(goals)
    with pytest.raises(tree.TamperDetectedError, match="the tree tables were rewritten"):
        audit_log(later).proof(goal, 5)  # its path runs through rewritten nodes: checked, refused, never signed


def test_a_forged_frontier_is_not_trusted_and_the_signer_verifies_the_log_from_its_start(
    goals: Goals, reopened: list[Goals]
) -> None:
    goal = agreed(goals, customer_service_terms())
    audit_log(goals).checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(update(frontiers).values(peaks=b"A" * 32 * 3))
    agreed(goals, survey_terms())
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(3), observed_at=date(2026, 1, 5))
    note = audit_log(restart(goals, reopened)).checkpoint()
    assert verify_checkpoint(note, [SIGNER.public]).root == rows_root(goals)


def test_a_rebuilt_frontier_that_misses_the_checkpoint_signed_before_signs_nothing(
    goals: Goals, reopened: list[Goals]
) -> None:
    agreed(goals, customer_service_terms())
    audit_log(goals).checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(frontiers.delete())
        connection.execute(update(signed_checkpoints).values(root=rows_root(goals, 6)[:32]))
    # The row no longer says what its note says: the checkpoint is not trusted, so nothing anchors the rebuild.
    assert verify_checkpoint(audit_log(restart(goals, reopened)).checkpoint(), [SIGNER.public]).size == 7

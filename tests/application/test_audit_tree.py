"""The stored tree follows the log batch by batch and answers exactly what a tree built in memory from the rows does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from application.audit import tree
from application.audit.leaf import leaf_input
from application.audit.log import audit_log
from application.audit.merkle import (consistency_proof, in_memory, inclusion_proof, leaf_hash, root_of,
                                      verify_consistency, verify_inclusion)
from application.audit.note import verify_checkpoint
from application.goals.service import Goals
from tests.application import tampering
from tests.conftest import SIGNER
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, survey_terms


def leaf_hashes(goals: Goals) -> list[bytes]:
    rows = goals.recorder.select_notifications(0, 1000)
    return [leaf_hash(leaf_input(r.originator_id, r.originator_version, r.topic, r.state)) for r in rows]


def test_the_stored_tree_grows_in_small_batches_to_the_tree_of_the_rows(
    goals: Goals, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tree, "BATCH", 3)
    log = audit_log(goals)
    goal = agreed(goals, customer_service_terms())
    first = verify_checkpoint(log.checkpoint(), [SIGNER.public])
    for day in (5, 6, 7, 8, 9):
        goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    agreed(goals, survey_terms())
    second = verify_checkpoint(log.checkpoint(), [SIGNER.public])
    hashes = leaf_hashes(goals)
    assert (first.size, second.size) == (7, 16)  # after the three events of the test cycles
    assert (first.root, second.root) == (root_of(hashes[:7]), root_of(hashes))
    assert log.checkpoint(first.size) == log.checkpoint(first.size)  # the note signed then, not a new one
    proof = log.consistency(first.size, 16)
    assert proof == consistency_proof(first.size, 16, in_memory(hashes))
    assert verify_consistency(first.size, 16, first.root, second.root, proof)
    rows = goals.recorder.select_notifications(0, 1000)
    for index, row in enumerate(rows):
        found = log.proof(row.originator_id, row.originator_version)  # type: ignore[arg-type]
        assert found.inclusion == inclusion_proof(index, 16, in_memory(hashes))
        assert verify_inclusion(index, 16, found.leaf_hash, found.inclusion, second.root)


def test_a_rewritten_stored_tree_changes_no_signed_root_and_its_proofs_are_refused(goals: Goals) -> None:
    log = audit_log(goals)
    goal = agreed(goals, customer_service_terms())
    log.checkpoint()
    with goals.engine.begin() as connection:
        connection.execute(tree.tree_nodes.update().where(tree.tree_nodes.c.level == 2).values(hash=bytes(32)))
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 5))
    assert verify_checkpoint(log.checkpoint(), [SIGNER.public]).root == root_of(leaf_hashes(goals))
    with pytest.raises(tree.TamperDetectedError, match="do not lead from event") as raised:
        log.proof(goal, 5)
    assert raised.value.finding.kind == "tree_mismatch"


def test_the_tree_takes_in_no_event_whose_previous_version_was_removed(goals: Goals) -> None:
    goal = agreed(goals, customer_service_terms())
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 5))
    tampering.delete_event(goals, goal, 4)
    with pytest.raises(tree.TamperDetectedError) as raised:
        audit_log(goals).checkpoint()
    assert (raised.value.finding.kind, raised.value.finding.version) == ("removed", 4)

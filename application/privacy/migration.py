"""`goalengine privacy migrate`: seal the plaintext personal fields of a store written before ADR 0026.

Like the audit migration (application/audit/migration.py, whose re-signing and signed record it reuses), only an
intact trail is migrated: every row is checked first. Then each event holding registered personal text in the clear
is rewritten with those fields sealed under its author's data key (ADR 0051; directory data under its person's),
and it and every later event of its aggregate are re-signed in place (same id, version and log position: the
chain links each signature to the one before). The tree, its signed checkpoints and the snapshots are derived from
the rows, so they are dropped and rebuilt; the signed migration record keeps the last checkpoint from before and the
first one after, so the rewrite stays visible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import delete, insert, select, text

from application.audit.chain import ChainHeads, ChainingMapper
from application.audit.leaf import GENESIS
from application.audit.frontier import frontiers
from application.audit.log import audit_log, forget_audit_log, signed_checkpoints
from application.audit.migration import MigrationRefusedError, migrations, resign
from application.audit.leaf import unseal
from application.audit.tree import tree_leaves, tree_nodes
from application.audit.verification import stored_rows, verify_trail
from application.store.database import metadata
from application.goals.service import Goals
from application.privacy.erasure import drop_snapshots
from application.privacy.personal import field_value, is_text
from application.privacy.registry import SEALED_UNDER_SUBJECT, personal_paths
from application.privacy.sealing import PERSONAL_TEXT, seal


@dataclass(frozen=True)
class PrivacyMigration:
    fields: int  # personal fields sealed
    events: int  # events re-signed (those changed and the later events of their aggregates)
    checkpoint: str | None  # the checkpoint after the migration (None when there was nothing to do)


def migrate_personal_fields(goals: Goals) -> PrivacyMigration:
    """Seal every plaintext personal field in place and re-sign the chains from there; says what it did."""
    signer = goals.audit_keys.signer
    if signer is None:
        raise MigrationRefusedError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    checked = verify_trail(goals)
    if not checked.intact:
        assert checked.problem is not None
        raise MigrationRefusedError(f"the trail does not verify ({checked.problem.detail}): nothing was migrated")
    rewritten, sealed_fields, heads = [], 0, dict[str, str]()
    for row in stored_rows(goals.recorder, goals.head_position(), 500):
        aggregate, unsigned_state = str(row.originator_id), _unsigned_state(row)
        sealed_here = _seal_fields(goals, row, unsigned_state)
        if sealed_here or aggregate in heads:
            sealed_fields += sealed_here
            state = resign(signer, row, unsigned_state, heads.get(aggregate, _previous(goals, row)))
            heads[aggregate] = str(unseal(state).field)  # type: ignore[union-attr]
            rewritten.append((row, state))
    if not rewritten:
        return PrivacyMigration(0, 0, None)
    before = _last_checkpoint(goals)
    _write(goals, rewritten)
    note = audit_log(goals).checkpoint()
    _record(goals, checked.digest, {
        "from": "personal text in the clear", "to": "personal text sealed per person (ADR 0026)",
        "fields": sealed_fields, "events": len(rewritten), "checkpoint_before": before, "old_digest": checked.digest,
        "checkpoint": note})
    return PrivacyMigration(sealed_fields, len(rewritten), note)


def _unsigned_state(row: Notification) -> dict[str, Any]:
    sealed = unseal(row.state)
    if sealed is None:
        raise MigrationRefusedError(f"event {row.originator_id}:{row.originator_version} is not signed: run "
                                    "`goalengine audit migrate` first")
    state: dict[str, Any] = json.loads(sealed.unsigned)
    return state


def _seal_fields(goals: Goals, row: Notification, state: dict[str, Any]) -> int:
    paths = [p for p in personal_paths(row.topic) if is_text(field_value(state, p))]
    if not paths:
        return 0
    subject = _sealer(goals, row, state)
    if subject is None:
        raise MigrationRefusedError(f"event {row.originator_id}:{row.originator_version} holds personal text but "
                                    "belongs to no person: nothing was migrated")
    for path in paths:
        *parents, last = path.split(".")
        target = state
        for part in parents:
            target = target[part]
        target[last] = _sealed_json(goals, subject, target[last])
    return len(paths)


def _sealer(goals: Goals, row: Notification, state: dict[str, Any]) -> str | None:
    """Whose key seals the event's text, as the mapper would seal it now: its author's (ADR 0051), or for directory
    data the person's."""
    if row.topic in SEALED_UNDER_SUBJECT:
        return goals.personal.subject_of(row.originator_id)
    actor = state.get("actor_id")
    return str(actor) if actor else None


def _sealed_json(goals: Goals, subject: str, value: Any) -> Any:
    """A plain text as its stored sealed form (a list of texts item by item); anything else unchanged."""
    if isinstance(value, list):
        return [_sealed_json(goals, subject, item) for item in value]
    if not is_text(value):
        return value
    return {"_type_": PERSONAL_TEXT, "_data_": seal(goals.data_keys, subject, str(value).encode())}


def _previous(goals: Goals, row: Notification) -> str:
    """The signature field of the event before this one in its chain, as stored (unchanged so far)."""
    if row.originator_version == 1:
        return GENESIS
    earlier = goals.recorder.select_events(row.originator_id, gt=row.originator_version - 2,
                                           lte=row.originator_version - 1)
    sealed = unseal(earlier[0].state) if earlier else None
    return sealed.field if sealed else GENESIS


def _write(goals: Goals, rewritten: list[tuple[Notification, bytes]]) -> None:
    table = goals.recorder.events_table_name  # type: ignore[attr-defined]
    statement = text(f"UPDATE {table} SET state = :s WHERE originator_id = :g AND originator_version = :v")
    metadata.create_all(goals.engine, tables=[tree_leaves, tree_nodes, signed_checkpoints, frontiers])
    with goals.engine.begin() as connection:
        for row, state in rewritten:
            aggregate = UUID(str(row.originator_id))
            key = aggregate.hex if goals.settings.store == "sqlite" else aggregate
            connection.execute(statement, {"s": state, "g": key, "v": row.originator_version})
        for table_ in (tree_leaves, tree_nodes, signed_checkpoints, frontiers):  # derived from the rows: rebuilt
            connection.execute(delete(table_))
    forget_audit_log(goals)  # its frontier holds the leaves replaced now
    drop_snapshots(goals)
    goals.forget_cached_aggregates()
    assert isinstance(goals.mapper, ChainingMapper)
    goals.mapper.heads = ChainHeads()  # the cached chain heads name signatures replaced now


def _last_checkpoint(goals: Goals) -> str | None:
    metadata.create_all(goals.engine, tables=[signed_checkpoints])
    with goals.engine.connect() as connection:
        return connection.execute(select(signed_checkpoints.c.note).order_by(
            signed_checkpoints.c.tree_size.desc()).limit(1)).scalar_one_or_none()


def _record(goals: Goals, old_digest: str, record: dict[str, Any]) -> None:
    signer = goals.audit_keys.signer
    assert signer is not None
    body = json.dumps(record, sort_keys=True)
    metadata.create_all(goals.engine, tables=[migrations])
    with goals.engine.begin() as connection:
        connection.execute(insert(migrations).values(
            migrated_at=datetime.now(UTC), events=record["events"], old_digest=old_digest, record=body,
            signature=f"{signer.key_id}:{signer.sign(body.encode()).hex()}"))

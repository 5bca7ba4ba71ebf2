"""`goalengine audit migrate --old-key FILE`: from the HMAC chain (ADR 0004) to signed events and the tree (ADR 0013).

The old chain is verified first with the old key; only an intact store is migrated. Every event is then re-signed
in place (same goal, version and log position; the state without its `_chain` member, sealed with the signing key),
stale snapshots are dropped (they are derived; new ones are taken as goals grow), and a signed migration record
keeps the old chain's digest and the checkpoint the new tree starts from: the migration stays visible.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, UTC

from eventsourcing.persistence import Notification
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table, Text, insert, inspect, select, text

from application.audit.leaf import GENESIS
from application.audit.hmac_chain import CHAIN_FIELD, link
from application.audit.keys import Signer
from application.audit.leaf import EVENT_DOMAIN, message, seal, unseal
from application.audit.log import audit_log
from application.audit.verification import stored_rows
from application.store.database import metadata
from application.errors import ApplicationError
from application.goals.service import Goals

migrations = Table(
    "audit_migrations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("migrated_at", DateTime(timezone=True), nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("old_digest", String(64), nullable=False),
    Column("record", Text, nullable=False),
    Column("signature", String(200), nullable=False),
)


class MigrationRefusedError(ApplicationError):
    """The store cannot be migrated: its old chain does not verify, or it holds events of both kinds."""

    code = "migration_refused"


@dataclass(frozen=True)
class MigrationResult:
    events: int
    old_digest: str
    checkpoint: str


def legacy_links(goals: Goals, old_key: bytes) -> tuple[list[tuple[Notification, dict[str, object]]], str]:
    """Every row with its state minus the link, once the whole HMAC chain verifies; and the old log digest."""
    heads: dict[str, str] = {}
    checked, digest = [], hashlib.sha256()
    for row in stored_rows(goals.recorder, goals.head_position(), 500):
        state = json.loads(row.state)
        chained = state.pop(CHAIN_FIELD, None) if isinstance(state, dict) else None
        goal_id = str(row.originator_id)
        expected = link(old_key, heads.get(goal_id, GENESIS), goal_id, row.originator_version, row.topic, state)
        if chained != expected:
            why = "is already signed" if unseal(row.state) else "does not verify with the old key"
            raise MigrationRefusedError(
                f"goal {goal_id} version {row.originator_version} (position {row.id}) {why}: nothing was migrated",
                goal_id=goal_id, version=row.originator_version, position=row.id)
        heads[goal_id] = chained
        digest.update(chained.encode() + b"\n")
        checked.append((row, state))
    return checked, digest.hexdigest()


def migrate(goals: Goals, old_key: bytes) -> MigrationResult:
    signer = goals.audit_keys.signer
    if signer is None:
        raise MigrationRefusedError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    rows, old_digest = legacy_links(goals, old_key)
    table = goals.recorder.events_table_name  # type: ignore[attr-defined]
    heads: dict[str, str] = {}
    with goals.engine.begin() as connection:
        for row, state in rows:
            sealed = resign(signer, row, state, heads.get(str(row.originator_id), GENESIS))
            heads[str(row.originator_id)] = str(unseal(sealed).field)  # type: ignore[union-attr]
            goal_id = UUID(str(row.originator_id))
            goal_key = goal_id.hex if goals.settings.store == "sqlite" else goal_id
            statement = f"UPDATE {table} SET state = :s WHERE originator_id = :g AND originator_version = :v"
            connection.execute(text(statement),
                               {"s": sealed, "g": goal_key, "v": row.originator_version})
        if goals.snapshots is not None:
            connection.execute(text(f"DELETE FROM {goals.snapshots.recorder.events_table_name}"))  # type: ignore[attr-defined]
    note = audit_log(goals).checkpoint()
    record = json.dumps({"from": "hmac-chain (ADR 0004)", "to": "ed25519 signatures and RFC 9162 tree (ADR 0013)",
                         "events": len(rows), "old_digest": old_digest, "checkpoint": note}, sort_keys=True)
    signature = f"{signer.key_id}:{signer.sign(record.encode()).hex()}"
    metadata.create_all(goals.engine, tables=[migrations])
    with goals.engine.begin() as connection:
        connection.execute(insert(migrations).values(migrated_at=datetime.now(UTC), events=len(rows),
                                                     old_digest=old_digest, record=record, signature=signature))
    return MigrationResult(len(rows), old_digest, note)


def resign(signer: Signer, row: Notification, state: dict[str, object], previous: str) -> bytes:
    unsigned = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    signed = message(EVENT_DOMAIN, row.originator_id, row.originator_version, row.topic, previous, unsigned)
    return seal(unsigned, signer.key_id, signer.sign(signed))


def migration_records(goals: Goals) -> list[dict[str, object]]:
    """The migrations this store has been through, oldest first (for `goalengine verify` to show; creates nothing)."""
    with goals.engine.connect() as connection:
        if not inspect(connection).has_table(migrations.name):
            return []
        rows = connection.execute(select(migrations).order_by(migrations.c.id)).mappings().all()
    return [dict(row) for row in rows]

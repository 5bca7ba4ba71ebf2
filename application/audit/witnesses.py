"""The server's side of witnessing (ADR 0040): cosignatures taken from known witnesses, kept, and served.

A cosignature is accepted only on a checkpoint this log signed (same size and root as the one it signed then), and
only from a key in GOALENGINE_AUDIT_WITNESS_KEYS. Served checkpoints carry the cosignatures of their size. A verifier
with the witnesses' public keys finds the largest checkpoint that enough of them cosigned.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import BigInteger, Column, DateTime, Engine, String, Table, Text, delete, inspect, insert, select

from application.audit.cosignature import Cosignature, cosignatures, with_lines
from application.audit.keys import load_public_keys
from application.audit.log import audit_log, signed_checkpoints
from application.audit.note import Checkpoint, CheckpointError, parse_checkpoint, verify_checkpoint
from application.errors import ApplicationError
from application.goals.service import Goals
from application.store.database import metadata

cosignature_rows = Table(
    "audit_cosignatures", metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("key_id", String(8), primary_key=True),
    Column("line", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


class CosignatureRefusedError(ApplicationError):
    """A cosignature the server does not take: not on a checkpoint it signed, or from no known witness."""

    code = "cosignature_refused"


def witness_keys(goals: Goals) -> list[Ed25519PublicKey]:
    return [key for pem in goals.settings.audit_witness_keys for key in load_public_keys(pem)]


def accept_cosignatures(goals: Goals, note: str) -> list[Cosignature]:
    """Keep the note's cosignatures by known witnesses; CosignatureRefusedError says why none was taken."""
    keys = witness_keys(goals)
    if not keys:
        raise CosignatureRefusedError("this server takes no cosignatures: GOALENGINE_AUDIT_WITNESS_KEYS is not set")
    try:
        checkpoint = verify_checkpoint(note, list(goals.audit_keys.keyring.keys.values()))
    except CheckpointError as error:
        raise CosignatureRefusedError(f"not a checkpoint of this log: {error}") from None
    ours = parse_checkpoint(audit_log(goals).checkpoint(checkpoint.size))[0]
    if (checkpoint.origin, checkpoint.root) != (ours.origin, ours.root):
        raise CosignatureRefusedError(f"this log signed another checkpoint of size {checkpoint.size}")
    found = cosignatures(note, keys)
    if not found:
        raise CosignatureRefusedError("no cosignature on the checkpoint verifies with a key of "
                                      "GOALENGINE_AUDIT_WITNESS_KEYS")
    metadata.create_all(goals.engine, tables=[cosignature_rows])
    with goals.engine.begin() as connection:
        for cosigned in found:
            connection.execute(delete(cosignature_rows).where(
                cosignature_rows.c.tree_size == checkpoint.size, cosignature_rows.c.key_id == cosigned.key_id))
            connection.execute(insert(cosignature_rows).values(
                tree_size=checkpoint.size, key_id=cosigned.key_id, line=cosigned.line, received_at=datetime.now(UTC)))
    return found


def with_cosignatures(goals: Goals, note: str) -> str:
    """The checkpoint note with the witnesses' cosignatures of its size that still verify."""
    keys = witness_keys(goals)
    if not keys:
        return note
    size = parse_checkpoint(note)[0].size
    lines = stored_lines(goals.engine, size)
    return with_lines(note, [c.line for c in cosignatures(with_lines(note, lines), keys)])


def stored_lines(engine: Engine, size: int) -> list[str]:
    with engine.connect() as connection:
        if not inspect(connection).has_table(cosignature_rows.name):
            return []
        return [str(line) for line in connection.execute(
            select(cosignature_rows.c.line).where(cosignature_rows.c.tree_size == size)).scalars()]


def largest_cosigned(engine: Engine, log_keys: list[Ed25519PublicKey], keys: list[Ed25519PublicKey],
                     at_least: int) -> tuple[Checkpoint, str] | None:
    """The largest stored checkpoint of this log that at least `at_least` of the witness keys cosigned."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(cosignature_rows.name):
            return None
        sizes = connection.execute(select(cosignature_rows.c.tree_size).distinct().order_by(
            cosignature_rows.c.tree_size.desc())).scalars().all()
        for size in sizes:
            note = connection.execute(select(signed_checkpoints.c.note).where(
                signed_checkpoints.c.tree_size == size)).scalar_one_or_none()
            if note is None:
                continue
            cosigned = with_lines(str(note), stored_lines(engine, int(size)))
            try:
                checkpoint = verify_checkpoint(cosigned, log_keys)
            except CheckpointError:
                continue
            if len(cosignatures(cosigned, keys)) >= at_least:
                return checkpoint, cosigned
    return None

"""The audit log as an auditor sees it: signed checkpoints, inclusion proofs and consistency proofs (ADR 0014, 0015).

Every answer first brings the stored tree up to the head of the log, so a checkpoint covers every committed event.
Before signing a larger tree the server checks that it still contains the last checkpoint it signed: rewriting the
stored tree behind a checkpoint makes the server refuse rather than sign.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, UTC
from uuid import UUID

from sqlalchemy import BigInteger, Column, DateTime, LargeBinary, Table, Text, insert, select
from sqlalchemy.exc import IntegrityError

from application.audit.chain import SigningKeyMissingError
from application.audit.leaf import leaf_input
from application.audit.merkle import ProofError, consistency_proof, inclusion_proof, leaf_hash
from application.audit.note import Checkpoint, CheckpointError, sign_checkpoint, verify_checkpoint
from application.audit.tamper import TamperFinding
from application.audit.tree import LogTree, TamperDetectedError
from application.store.database import metadata
from application.errors import ApplicationError
from application.goals.service import Goals

signed_checkpoints = Table(
    "audit_checkpoints", metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
)


class EventNotInLogError(ApplicationError):
    """No stored event has this goal id and version (or the tree asked for does not reach it)."""

    code = "event_not_found"


class TreeSizeError(ApplicationError):
    """A tree size the log has not reached, or sizes in the wrong order."""

    code = "tree_size_out_of_range"


@dataclass(frozen=True)
class EventProof:
    event: str
    leaf_index: int
    tree_size: int
    leaf_input: bytes
    leaf_hash: bytes
    inclusion: list[bytes]
    checkpoint: str


class AuditLog:
    """Checkpoints and proofs over the goal event log."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals
        self.tree = LogTree(goals)
        self._verified: tuple[int, bytes, str] | None = None
        metadata.create_all(goals.engine, tables=[signed_checkpoints])

    def checkpoint(self, size: int | None = None) -> str:
        """The signed checkpoint of the whole log (or of its first `size` events)."""
        current = self.tree.catch_up()
        size = current if size is None else self._size_in_range(size, current)
        with self.goals.engine.connect() as connection:
            hasher = self.tree.subtree(connection)
            root = hasher.planned(lambda: hasher(0, size))
        return self._signed(Checkpoint(self.goals.audit_keys.origin, size, root))

    def proof(self, goal_id: UUID, version: int, tree_size: int | None = None) -> EventProof:
        current = self.tree.catch_up()
        found = self.tree.leaf(goal_id, version)
        rows = self.goals.recorder.select_events(goal_id, gt=version - 1, lte=version, limit=1)
        if found is None or not rows:
            raise EventNotInLogError(f"no event {goal_id}:{version} in the log", event=f"{goal_id}:{version}")
        index, _position = found
        size = current if tree_size is None else self._size_in_range(tree_size, current)
        if index >= size:
            raise TreeSizeError(f"event {goal_id}:{version} is leaf {index}: a tree of size {size} does not hold it",
                                tree_size=size, leaf_index=index)
        row = rows[0]
        data = leaf_input(row.originator_id, row.originator_version, row.topic, row.state)
        with self.goals.engine.connect() as connection:
            hasher = self.tree.subtree(connection)
            path, root, stored = hasher.planned(
                lambda: (inclusion_proof(index, size, hasher), hasher(0, size), hasher(index, index + 1)))
        if stored != leaf_hash(data):
            raise TamperDetectedError(TamperFinding(
                "changed", str(goal_id), version, _position,
                f"version {version} of goal {goal_id} no longer has the bytes the tree holds for it: "
                "it was altered after it entered the log"))
        note = self._signed(Checkpoint(self.goals.audit_keys.origin, size, root))
        return EventProof(f"{goal_id}:{version}", index, size, data, stored, path, note)

    def consistency(self, first: int, second: int) -> list[bytes]:
        current = self.tree.catch_up()
        self._size_in_range(second, current)
        if first > second:
            raise TreeSizeError(f"from={first} is larger than to={second}", **{"from": first, "to": second})
        with self.goals.engine.connect() as connection:
            hasher = self.tree.subtree(connection)
            try:
                return hasher.planned(lambda: consistency_proof(first, second, hasher))
            except ProofError as error:
                raise TreeSizeError(str(error)) from None

    def _size_in_range(self, size: int, current: int) -> int:
        if not 0 <= size <= current:
            raise TreeSizeError(f"tree size {size} is not in the log: it holds {current} events",
                                tree_size=size, size=current)
        return size

    def _signed(self, checkpoint: Checkpoint) -> str:
        signer = self.goals.audit_keys.signer
        if signer is None:
            raise SigningKeyMissingError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
        largest = self._still_extends_last(checkpoint)
        note = sign_checkpoint(checkpoint, signer)
        if checkpoint.size > largest:
            try:
                with self.goals.engine.begin() as connection:
                    connection.execute(insert(signed_checkpoints).values(
                        tree_size=checkpoint.size, root=checkpoint.root, note=note,
                        signed_at=datetime.now(UTC)))
            except IntegrityError:
                pass  # another process signed this size at the same time: same size, same root
        return note

    def _still_extends_last(self, checkpoint: Checkpoint) -> int:
        """Refuse to sign a tree that does not contain the largest checkpoint signed before (ADR 0015).

        Returns the size of that checkpoint (0 when there is none that verifies).
        """
        with self.goals.engine.connect() as connection:
            last = connection.execute(select(signed_checkpoints.c.tree_size, signed_checkpoints.c.root,
                                             signed_checkpoints.c.note).order_by(
                signed_checkpoints.c.tree_size.desc()).limit(1)).one_or_none()
            if last is None:
                return 0
            earlier = self._trusted(int(last.tree_size), bytes(last.root), str(last.note))
            if earlier is None:
                return 0  # not ours (or altered): it proves nothing either way, so it cannot hold us back
            if earlier.size == checkpoint.size:
                contained = earlier.root == checkpoint.root
            else:
                hasher = self.tree.subtree(connection)
                contained = earlier.size <= self.tree.size(connection) and hasher.planned(
                    lambda: hasher(0, earlier.size)) == earlier.root
            if not contained:
                raise TamperDetectedError(TamperFinding(
                    "checkpoint_mismatch", None, None, earlier.size,
                    f"the stored tree no longer contains the checkpoint of size {earlier.size} signed before: "
                    "the log or the tree behind it was rewritten, so no new checkpoint is signed"))
            return earlier.size

    def _trusted(self, size: int, root: bytes, note: str) -> Checkpoint | None:
        """The stored checkpoint, if its signature holds (remembered, so it is checked once per process)."""
        if self._verified == (size, root, note):
            return Checkpoint(self.goals.audit_keys.origin, size, root)
        try:
            checkpoint = verify_checkpoint(note, list(self.goals.audit_keys.keyring.keys.values()))
        except CheckpointError:
            return None
        if (checkpoint.size, checkpoint.root) != (size, root):
            return None
        self._verified = (size, root, note)
        return checkpoint


_LOGS: weakref.WeakKeyDictionary[Goals, AuditLog] = weakref.WeakKeyDictionary()


def audit_log(goals: Goals) -> AuditLog:
    """The audit log of an application (one per Goals instance: it holds the tree's catch-up lock)."""
    log = _LOGS.get(goals)
    if log is None:
        log = _LOGS.setdefault(goals, AuditLog(goals))
    return log

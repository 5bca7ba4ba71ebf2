"""The audit log as an auditor sees it: signed checkpoints, inclusion proofs and consistency proofs (ADR 0014, 0015).

Every answer first brings the verified frontier up to the head of the log, so a checkpoint covers every committed
event, and the root it signs is the frontier's, computed from event rows whose signature chains hold (ADR 0038). An
older size is answered only with the checkpoint signed when the log had that size, never a new signature. Proofs
come from the stored nodes, a cache: each is checked against the signed root before it is served.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from collections.abc import Callable
from datetime import datetime, UTC
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import BigInteger, Column, Connection, DateTime, LargeBinary, Row, Table, Text, insert, select
from sqlalchemy.exc import IntegrityError

from application.audit.chain import SigningKeyMissingError
from application.audit.leaf import leaf_input
from application.audit.frontier import Frontier
from application.audit.kept import kept_checkpoint
from application.audit.merkle import (EMPTY_ROOT, ProofError, consistency_proof, inclusion_proof, leaf_hash,
                                      verify_consistency, verify_inclusion)
from application.audit.note import Checkpoint, CheckpointError, sign_checkpoint, verify_checkpoint
from application.audit.tamper import TamperFinding
from application.audit.tree import LogTree, RangeHasher, TamperDetectedError
from application.store.database import metadata
from application.errors import ApplicationError
from application.goals.service import Goals

T = TypeVar("T")
LOOKBACK = 100  # stored checkpoints tried, largest first, before concluding that none of them is ours

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


class CheckpointNotSignedError(ApplicationError):
    """An older tree size at which no checkpoint was signed: the server signs no new checkpoint for an old size."""

    code = "checkpoint_not_signed"


def tree_mismatch(position: int, detail: str) -> TamperDetectedError:
    return TamperDetectedError(TamperFinding("tree_mismatch", None, None, position, detail))


class AuditLog:
    """Checkpoints and proofs over the goal event log, signed only from the verified frontier (ADR 0038)."""

    def __init__(self, goals: Goals, *, rewritten: bool = False) -> None:
        self.goals = goals
        metadata.create_all(goals.engine, tables=[signed_checkpoints])
        self._verified: dict[tuple[int, bytes, str], Checkpoint] = {}
        self.tree = LogTree(goals, self._anchor)
        self.kept = kept_checkpoint(goals)  # the latest checkpoint, kept outside the database too (ADR 0039)
        self._kept_size = -1
        self._rewritten = rewritten  # a key holder rewrote the log on purpose: the next checkpoint replaces the kept

    def contains(self, checkpoint: Checkpoint) -> bool:
        """Whether the verified log still holds this checkpoint (same root at its size)."""
        frontier = self.tree.catch_up()
        if checkpoint.size > frontier.size:
            return False
        if checkpoint.size == frontier.size:
            return checkpoint.root == frontier.root()
        try:
            return self._signed_at(checkpoint.size)[0].root == checkpoint.root
        except CheckpointNotSignedError:
            pass  # its row was deleted: prove it from the tree instead
        proof = self._from_cache(lambda hasher: consistency_proof(checkpoint.size, frontier.size, hasher),
                                 frontier.position)
        return verify_consistency(checkpoint.size, frontier.size, checkpoint.root, frontier.root(), proof)

    def checkpoint(self, size: int | None = None) -> str:
        """The signed checkpoint of the whole log; of an older size, only the one signed when the log had it."""
        frontier, largest = self._head()
        if size is None or size == frontier.size:
            return self._signed(Checkpoint(self.goals.audit_keys.origin, frontier.size, frontier.root()), largest)
        self._size_in_range(size, frontier.size)
        return self._signed_at(size)[1]

    def proof(self, goal_id: UUID, version: int, tree_size: int | None = None) -> EventProof:
        frontier, largest = self._head()
        found = self.tree.leaf(goal_id, version)
        rows = self.goals.recorder.select_events(goal_id, gt=version - 1, lte=version, limit=1)
        if found is None or not rows:
            raise EventNotInLogError(f"no event {goal_id}:{version} in the log", event=f"{goal_id}:{version}")
        index, position = found
        size = frontier.size if tree_size is None else self._size_in_range(tree_size, frontier.size)
        if index >= size:
            raise TreeSizeError(f"event {goal_id}:{version} is leaf {index}: a tree of size {size} does not hold it",
                                tree_size=size, leaf_index=index)
        checkpoint, note = self._checkpoint_of(size, frontier)
        row = rows[0]
        if not isinstance(row.state, bytes):
            raise TamperDetectedError(TamperFinding(
                "undecodable", str(goal_id), version, position,
                f"version {version} is stored as {type(row.state).__name__}, not as the bytes that were signed"))
        data = leaf_input(row.originator_id, row.originator_version, row.topic, row.state)
        path, stored = self._from_cache(lambda hasher: (inclusion_proof(index, size, hasher), hasher(index, index + 1)),
                                        position)
        if not verify_inclusion(index, size, leaf_hash(data), path, checkpoint.root):
            if verify_inclusion(index, size, stored, path, checkpoint.root):
                raise TamperDetectedError(TamperFinding(
                    "changed", str(goal_id), version, position,
                    f"version {version} of goal {goal_id} no longer has the bytes the tree holds for it: "
                    "it was altered after it entered the log"))
            raise tree_mismatch(position, f"the stored tree's nodes do not lead from event {goal_id}:{version} to "
                                          f"the signed root of size {size}: the tree tables were rewritten")
        note = note or self._signed(checkpoint, largest)
        return EventProof(f"{goal_id}:{version}", index, size, data, leaf_hash(data), path, note)

    def consistency(self, first: int, second: int) -> list[bytes]:
        frontier, _largest = self._head()
        self._size_in_range(second, frontier.size)
        if first > second:
            raise TreeSizeError(f"from={first} is larger than to={second}", **{"from": first, "to": second})
        second_root = self._checkpoint_of(second, frontier)[0].root
        first_root = EMPTY_ROOT if first == 0 else self._checkpoint_of(first, frontier)[0].root
        hashes = self._from_cache(lambda hasher: consistency_proof(first, second, hasher), second)
        if not verify_consistency(first, second, first_root, second_root, hashes):
            raise tree_mismatch(second, f"the stored tree's nodes do not prove the checkpoint of size {first} "
                                        f"consistent with the one of size {second}: the tree tables were rewritten")
        return hashes

    def _head(self) -> tuple[Frontier, tuple[Checkpoint, str] | None]:
        """The verified frontier, caught up at least to the largest checkpoint signed before (by any process)."""
        for _attempt in range(3):
            frontier, largest = self.tree.catch_up(), self._largest_signed()
            if not self.tree.still_ends_the_tree(frontier):
                raise TamperDetectedError(TamperFinding(
                    "log_rolled_back", None, None, frontier.position,
                    f"the event at position {frontier.position}, the last of the verified tree of size "
                    f"{frontier.size}, is gone or changed: events were removed behind what was signed (a rollback), "
                    "so nothing more is signed"))
            if largest is None or largest[0].size < frontier.size:
                return frontier, largest
            if largest[0].size == frontier.size:
                if largest[0].root != frontier.root():
                    raise TamperDetectedError(TamperFinding(
                        "checkpoint_mismatch", None, None, frontier.position,
                        f"the log's {frontier.size} events no longer hash to the checkpoint of that size signed "
                        "before: events behind it were rewritten, so no new checkpoint is signed"))
                return frontier, largest
        behind = largest[0].size if largest else 0
        raise TamperDetectedError(TamperFinding(
            "checkpoint_mismatch", None, None, frontier.position,
            f"the log holds {frontier.size} verified events, fewer than the checkpoint of size {behind} "
            "signed before: events behind it were removed, so no new checkpoint is signed"))

    def _checkpoint_of(self, size: int, frontier: Frontier) -> tuple[Checkpoint, str | None]:
        if size == frontier.size:
            return Checkpoint(self.goals.audit_keys.origin, size, frontier.root()), None
        checkpoint, note = self._signed_at(size)
        return checkpoint, note

    def _from_cache(self, work: Callable[[RangeHasher], T], position: int) -> T:
        """Work over the stored nodes (a cache: the caller checks the answer against a signed root)."""
        with self.goals.engine.connect() as connection:
            hasher = self.tree.subtree(connection)
            try:
                return hasher.planned(lambda: work(hasher))
            except LookupError as error:
                raise tree_mismatch(position, f"{error}: the tree tables were rewritten") from None
            except ProofError as error:
                raise TreeSizeError(str(error)) from None

    def _size_in_range(self, size: int, current: int) -> int:
        if not 0 <= size <= current:
            raise TreeSizeError(f"tree size {size} is not in the log: it holds {current} events",
                                tree_size=size, size=current)
        return size

    def _signed(self, checkpoint: Checkpoint, largest: tuple[Checkpoint, str] | None) -> str:
        signer = self.goals.audit_keys.signer
        if signer is None:
            raise SigningKeyMissingError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
        if largest is not None and largest[0] == checkpoint:
            self._keep(largest[1], checkpoint)
            return largest[1]  # signed before at this size: the same note, not a second signature
        note = sign_checkpoint(checkpoint, signer)
        try:
            with self.goals.engine.begin() as connection:
                connection.execute(insert(signed_checkpoints).values(
                    tree_size=checkpoint.size, root=checkpoint.root, note=note, signed_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # another process signed this size at the same time: same size, same root
        self._keep(note, checkpoint)
        return note

    def _keep(self, note: str, checkpoint: Checkpoint) -> None:
        if self.kept is not None and (checkpoint.size > self._kept_size or self._rewritten):
            self.kept.keep(note, checkpoint, replace=self._rewritten)
            self._kept_size, self._rewritten = checkpoint.size, False

    def _signed_at(self, size: int) -> tuple[Checkpoint, str]:
        """The checkpoint signed when the log had `size` events; CheckpointNotSignedError when there is none."""
        with self.goals.engine.connect() as connection:
            row = connection.execute(select(signed_checkpoints).where(
                signed_checkpoints.c.tree_size == size)).one_or_none()
        checkpoint = None if row is None else self._trusted(row)
        if checkpoint is None:
            raise CheckpointNotSignedError(
                f"no checkpoint was signed at tree size {size}: the server signs only the whole log; ask for a "
                "consistency proof from a checkpoint you hold to a newer one", tree_size=size)
        return checkpoint, str(row.note)  # type: ignore[union-attr]

    def _largest_signed(self, connection: Connection | None = None) -> tuple[Checkpoint, str] | None:
        """The largest stored checkpoint whose signature holds (rows that do not verify are not ours: skipped)."""
        if connection is None:
            with self.goals.engine.connect() as own:
                return self._largest_signed(own)
        for row in connection.execute(select(signed_checkpoints).order_by(
                signed_checkpoints.c.tree_size.desc()).limit(LOOKBACK)):
            checkpoint = self._trusted(row)
            if checkpoint is not None:
                return checkpoint, str(row.note)
        return None

    def _anchor(self, connection: Connection) -> tuple[int, bytes] | None:
        largest = self._largest_signed(connection)
        return None if largest is None else (largest[0].size, largest[0].root)

    def _trusted(self, row: Row[Any]) -> Checkpoint | None:
        """The stored checkpoint, if its signature holds and it says what its row says (checked once per process)."""
        try:
            key = (int(row.tree_size), bytes(row.root), str(row.note))
        except (TypeError, ValueError):
            return None
        if key in self._verified:
            return self._verified[key]
        try:
            checkpoint = verify_checkpoint(key[2], list(self.goals.audit_keys.keyring.keys.values()))
        except CheckpointError:
            return None
        if (checkpoint.origin, checkpoint.size, checkpoint.root) != (self.goals.audit_keys.origin, *key[:2]):
            return None
        self._verified[key] = checkpoint
        return checkpoint


_LOGS: weakref.WeakKeyDictionary[Goals, AuditLog] = weakref.WeakKeyDictionary()


def audit_log(goals: Goals) -> AuditLog:
    """The audit log of an application (one per Goals instance: it holds the tree's catch-up lock)."""
    log = _LOGS.get(goals)
    if log is None:
        log = _LOGS.setdefault(goals, AuditLog(goals))
    return log


def forget_audit_log(goals: Goals) -> None:
    """After a key holder rewrote the log on purpose (a migration): the next audit log starts from the rows again,
    and its first checkpoint replaces the one kept outside the database."""
    _LOGS[goals] = AuditLog(goals, rewritten=True)

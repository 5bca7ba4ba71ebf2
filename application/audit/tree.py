"""The Merkle tree over the log, kept in side tables so a checkpoint or a proof costs O(log n) lookups (ADR 0014).

`audit_tree_leaves` maps each goal event (goal id, version, log position) to its leaf index; `audit_tree_nodes`
holds the hash of every perfect subtree (level 0: the leaf hashes). The tree follows the log: a catch-up appends the
events after the last leaf, in log order, checking each event's signature chain first so that nothing unsigned
ever enters a tree the server signs. The tables are derived: `goalengine verify` rebuilds the tree from the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import (BigInteger, Column, Connection, Integer, LargeBinary, SmallInteger, String, Table,
                        UniqueConstraint, func, insert, select, text)
from sqlalchemy.exc import IntegrityError

from application.audit.chain import GENESIS
from application.audit.leaf import leaf_input, unseal
from application.audit.merkle import EMPTY_ROOT, CompactRange, leaf_hash, node_hash, split_point
from application.audit.tamper import TamperFinding, diagnose_mismatch, signature_holds
from application.store.database import metadata
from application.errors import ApplicationError
from application.goals.service import Goals

BATCH = 1000
T = TypeVar("T")

tree_leaves = Table(
    "audit_tree_leaves", metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("goal_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("goal_id", "version", name="audit_tree_leaves_event"),
)
tree_nodes = Table(
    "audit_tree_nodes", metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)


class TamperDetectedError(ApplicationError):
    """The log holds an event whose signature chain does not verify: the server signs no tree over it."""

    code = "tamper_detected"

    def __init__(self, finding: TamperFinding) -> None:
        super().__init__(finding.detail, kind=finding.kind, goal_id=finding.goal_id, version=finding.version,
                         position=finding.position)
        self.finding = finding


def peaks_of(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, index) that make up a tree of `size` leaves, largest first."""
    peaks, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            peaks.append((level, start >> level))
            start += 1 << level
    return peaks


class LogTree:
    """The stored tree: its size, the hash of any range of leaves, and catching up with the log."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals
        self.engine = goals.engine
        self._lock = threading.Lock()
        metadata.create_all(self.engine, tables=[tree_leaves, tree_nodes])

    def size(self, connection: Connection | None = None) -> int:
        if connection is None:
            with self.engine.connect() as own:
                return self.size(own)
        last = connection.execute(select(func.max(tree_leaves.c.leaf_index))).scalar()
        return 0 if last is None else int(last) + 1

    def catch_up(self) -> int:
        """Append every event stored since the last leaf; returns the tree's size."""
        with self._lock:
            while True:
                try:
                    if not self._append_batch():
                        return self.size()
                except IntegrityError:
                    continue  # another process appended the same leaves first: read on from where it got

    def _append_batch(self) -> bool:
        with self.engine.begin() as connection:
            size = self.size(connection)
            after = connection.execute(select(func.max(tree_leaves.c.position))).scalar() or 0
            rows = self.goals.recorder.select_notifications(after, BATCH, inclusive_of_start=False)
            if not rows:
                return False
            compact = self._compact(connection, size)
            leaves: list[dict[str, Any]] = []
            nodes: list[dict[str, Any]] = []
            previous: dict[str, tuple[int, str]] = {}
            for offset, row in enumerate(rows):
                field = self._checked_field(row, previous)
                previous[str(row.originator_id)] = (row.originator_version, field)
                leaves.append({"leaf_index": size + offset, "position": row.id, "goal_id": str(row.originator_id),
                               "version": row.originator_version})
                completed = compact.append(leaf_hash(leaf_input(row.originator_id, row.originator_version, row.topic,
                                                                row.state)))
                nodes.extend({"level": level, "idx": idx, "hash": digest} for level, idx, digest in completed)
            connection.execute(insert(tree_leaves), leaves)
            connection.execute(insert(tree_nodes), nodes)
            return True

    def _compact(self, connection: Connection, size: int) -> CompactRange:
        compact = CompactRange()
        coordinates = peaks_of(size)
        hashes = self.nodes(connection, coordinates)
        compact.size, compact.peaks = size, [hashes[c] for c in coordinates]
        return compact

    def _checked_field(self, row: Notification, previous: dict[str, tuple[int, str]]) -> str:
        """The row's signature field, once it holds after the goal's previous event; TamperDetectedError if not."""
        goal_id, version = str(row.originator_id), row.originator_version
        prior = GENESIS
        if version > 1:
            known = previous.get(goal_id)
            if known is not None and known[0] == version - 1:
                prior = known[1]
            else:
                before = self.goals.recorder.select_events(row.originator_id, gt=version - 2, lte=version - 1)
                if not before:
                    raise TamperDetectedError(TamperFinding(
                        "removed", goal_id, version - 1, row.id,
                        f"version {version - 1} of the goal is missing: the chain jumps to {version}"))
                sealed_before = unseal(before[0].state)
                prior = sealed_before.field if sealed_before else "\x00unsigned"
        sealed = unseal(row.state)
        keyring = self.goals.audit_keys.keyring
        if sealed is None or not signature_holds(keyring, row, sealed, prior):
            raise TamperDetectedError(diagnose_mismatch(self.goals.recorder, keyring, row))
        return sealed.field

    def nodes(self, connection: Connection, coordinates: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        if not coordinates:
            return {}
        by_level: dict[int, list[int]] = {}
        for level, idx in coordinates:
            by_level.setdefault(level, []).append(idx)
        # One primary-key lookup per level (a row-value IN would scan the table on SQLite). The numbers are ints the
        # tree computed, never input, so they are written into the statement: building bound expressions cost more
        # than the query.
        where = " OR ".join(f"(level = {int(level)} AND idx IN ({','.join(str(int(i)) for i in idxs)}))"
                            for level, idxs in by_level.items())
        query = text(f"SELECT level, idx, hash FROM {tree_nodes.name} WHERE {where}")
        found = {(int(r.level), int(r.idx)): bytes(r.hash) for r in connection.execute(query)}
        missing = [c for c in coordinates if c not in found]
        if missing:
            raise LookupError(f"the stored tree lacks nodes {missing}")
        return found

    def subtree(self, connection: Connection) -> RangeHasher:
        return RangeHasher(self, connection)

    def leaf(self, goal_id: UUID, version: int) -> tuple[int, int] | None:
        """The leaf index and log position of a goal event, once the tree has reached it."""
        with self.engine.connect() as connection:
            row = connection.execute(select(tree_leaves.c.leaf_index, tree_leaves.c.position).where(
                tree_leaves.c.goal_id == str(goal_id), tree_leaves.c.version == version)).one_or_none()
        return None if row is None else (int(row.leaf_index), int(row.position))


class RangeHasher:
    """MTH(D[start:end]) from stored perfect subtrees, remembering what it has read.

    `planned(work)` runs the work once to learn which stored nodes it needs, fetches them in one query, then runs it.
    """

    def __init__(self, tree: LogTree, connection: Connection) -> None:
        self.tree = tree
        self.connection = connection
        self.cache: dict[tuple[int, int], bytes] = {}
        self._wanted: set[tuple[int, int]] | None = None

    def __call__(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and start % n == 0:
            key = (n.bit_length() - 1, start // n)
            if self._wanted is not None:
                self._wanted.add(key)
                return EMPTY_ROOT
            if key not in self.cache:
                self.cache.update(self.tree.nodes(self.connection, [key]))
            return self.cache[key]
        k = split_point(n)
        return node_hash(self(start, start + k), self(start + k, end))

    def planned(self, work: Callable[[], T]) -> T:
        self._wanted = set()
        try:
            work()
            wanted = [key for key in self._wanted if key not in self.cache]
        finally:
            self._wanted = None
        self.cache.update(self.tree.nodes(self.connection, wanted))
        return work()

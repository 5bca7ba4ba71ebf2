"""The Merkle tree over the log, kept in side tables so a checkpoint or a proof costs O(log n) lookups (ADR 0014).

`audit_tree_leaves` maps each goal event (goal id, version, log position) to its leaf index; `audit_tree_nodes`
holds the hash of every perfect subtree (level 0: the leaf hashes). The tree follows the log: a catch-up appends the
events after the frontier's last leaf, in log order, checking each event's signature chain first so that nothing
unsigned ever enters a tree the server signs. What the server signs comes from its verified frontier (ADR 0038);
the tables are a cache for proofs, checked against a signed root before a proof is served, and rewritten where
they differ from what the frontier computed. `goalengine verify` rebuilds the tree from the rows.
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

from application.audit.leaf import GENESIS
from application.audit.frontier import EMPTY, Frontier, frontiers, store_frontier, trusted_frontier
from application.audit.leaf import leaf_input, unseal
from application.audit.merkle import EMPTY_ROOT, CompactRange, leaf_hash, node_hash, split_point
from application.audit.tamper import TamperFinding, diagnose_mismatch, signature_holds, undecodable_finding
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


class LogTree:
    """The signer's verified frontier (ADR 0038), and the stored tree it keeps as a cache for proofs."""

    def __init__(self, goals: Goals, anchor: Callable[[Connection], tuple[int, bytes] | None]) -> None:
        self.goals = goals
        self.engine = goals.engine
        self._anchor = anchor  # the largest checkpoint signed before, if any: the frontier must pass through it
        self._lock = threading.Lock()
        self.frontier: Frontier | None = None
        self._expected: tuple[int, bytes] | None = None
        metadata.create_all(self.engine, tables=[tree_leaves, tree_nodes, frontiers])

    def catch_up(self) -> Frontier:
        """Verify and append every event stored since the frontier's last leaf; returns the frontier reached."""
        with self._lock:
            if self.frontier is None:
                self.frontier, self._expected = self._start()
            for _attempt in range(3):
                try:
                    while self._append_batch():
                        pass
                    return self.frontier
                except IntegrityError:
                    continue  # another process stored the same leaves at the same moment: compare with theirs
            raise TamperDetectedError(TamperFinding(
                "tree_mismatch", None, None, self.frontier.position,
                "the stored tree cannot be brought in line with the verified events: its rows were rewritten"))

    def _start(self) -> tuple[Frontier, tuple[int, bytes] | None]:
        """Continue from the signed frontier of the last checkpoint, or verify the log from its start."""
        keys = self.goals.audit_keys
        with self.engine.connect() as connection:
            anchor = self._anchor(connection)
            if anchor is None:
                return EMPTY, None
            frontier = trusted_frontier(connection, anchor[0], keys.keyring, keys.origin)
        if frontier is not None and frontier.root() == anchor[1]:
            return frontier, None
        return EMPTY, anchor

    def _append_batch(self) -> bool:
        assert self.frontier is not None
        rows = self.goals.recorder.select_notifications(self.frontier.position, BATCH, inclusive_of_start=False)
        if not rows:
            return False
        compact = self.frontier.compact()
        leaves: list[dict[str, Any]] = []
        nodes: dict[tuple[int, int], bytes] = {}
        previous: dict[str, tuple[int, str]] = {}
        for row in rows:
            field = self._checked_field(row, previous)
            previous[str(row.originator_id)] = (row.originator_version, field)
            leaves.append({"leaf_index": compact.size, "position": row.id, "goal_id": str(row.originator_id),
                           "version": row.originator_version})
            last_leaf = leaf_hash(leaf_input(row.originator_id, row.originator_version, row.topic, row.state))
            completed = compact.append(last_leaf)
            nodes.update({(level, idx): digest for level, idx, digest in completed})
            self._check_expected(compact, row.id)
        reached = Frontier.of(compact, rows[-1].id, last_leaf)
        with self.engine.begin() as connection:
            self._store_cache(connection, leaves, nodes)
            signer = self.goals.audit_keys.signer
            if signer is not None:
                store_frontier(connection, reached, signer, self.goals.audit_keys.origin)
        self.frontier = reached
        return True

    def _check_expected(self, compact: CompactRange, position: int) -> None:
        """Rebuilding from the start, the tree must pass through the last checkpoint signed before."""
        if self._expected is None or compact.size != self._expected[0]:
            return
        if compact.root() != self._expected[1]:
            raise TamperDetectedError(TamperFinding(
                "checkpoint_mismatch", None, None, position,
                f"the log's first {compact.size} events no longer hash to the checkpoint of that size signed before: "
                "events behind it were removed or rewritten, so no new checkpoint is signed"))
        self._expected = None

    def _store_cache(self, connection: Connection, leaves: list[dict[str, Any]],
                     nodes: dict[tuple[int, int], bytes]) -> None:
        """Write the leaves and nodes the frontier computed; stored ones that differ are replaced (a cache)."""
        first, last = leaves[0]["leaf_index"], leaves[-1]["leaf_index"]
        stored = {int(r.leaf_index): (int(r.position), str(r.goal_id), int(r.version)) for r in connection.execute(
            select(tree_leaves).where(tree_leaves.c.leaf_index.between(first, last)))}
        fresh = [leaf for leaf in leaves if leaf["leaf_index"] not in stored]
        for leaf in leaves:
            known = stored.get(leaf["leaf_index"])
            if known is not None and known != (leaf["position"], leaf["goal_id"], leaf["version"]):
                connection.execute(tree_leaves.delete().where(tree_leaves.c.leaf_index == leaf["leaf_index"]))
                fresh.append(leaf)
        if fresh:
            connection.execute(insert(tree_leaves), fresh)
        found = self._stored_nodes(connection, list(nodes))
        for key, digest in nodes.items():
            if key in found and found[key] != digest:
                connection.execute(tree_nodes.update().where(tree_nodes.c.level == key[0], tree_nodes.c.idx == key[1])
                                   .values(hash=digest))
        missing = [{"level": k[0], "idx": k[1], "hash": h} for k, h in nodes.items() if k not in found]
        if missing:
            connection.execute(insert(tree_nodes), missing)

    def _checked_field(self, row: Notification, previous: dict[str, tuple[int, str]]) -> str:
        """The row's signature field, once it holds after the goal's previous event; TamperDetectedError if not."""
        goal_id, version = str(row.originator_id), row.originator_version
        confused = undecodable_finding(row)
        if confused is not None:
            raise TamperDetectedError(confused)
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
                sealed_before = unseal(before[0].state) if isinstance(before[0].state, bytes) else None
                prior = sealed_before.field if sealed_before else "\x00unsigned"
        sealed = unseal(row.state)
        keyring = self.goals.audit_keys.keyring
        if sealed is None or not signature_holds(keyring, row, sealed, prior):
            raise TamperDetectedError(diagnose_mismatch(self.goals.recorder, keyring, row))
        return sealed.field

    def nodes(self, connection: Connection, coordinates: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found = self._stored_nodes(connection, coordinates)
        missing = [c for c in coordinates if c not in found]
        if missing:
            raise LookupError(f"the stored tree lacks nodes {missing}")
        return found

    @staticmethod
    def _stored_nodes(connection: Connection, coordinates: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
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
        return {(int(r.level), int(r.idx)): bytes(r.hash) for r in connection.execute(query)}

    def subtree(self, connection: Connection) -> RangeHasher:
        return RangeHasher(self, connection)

    def still_ends_the_tree(self, frontier: Frontier) -> bool:
        """Whether the frontier's last event is still stored at its position, unchanged (a cheap rollback check)."""
        if frontier.size == 0:
            return True
        rows = self.goals.recorder.select_notifications(frontier.position, 1)
        if not rows or rows[0].id != frontier.position or not isinstance(rows[0].state, bytes):
            return False
        row = rows[0]
        return leaf_hash(leaf_input(row.originator_id, row.originator_version, row.topic, row.state)) == (
            frontier.last_leaf)

    def last_version(self, goal_id: UUID, size: int) -> int:
        """The goal's last version among the first `size` leaves (0 when it has none there)."""
        with self.engine.connect() as connection:
            found = connection.execute(select(func.max(tree_leaves.c.version)).where(
                tree_leaves.c.goal_id == str(goal_id), tree_leaves.c.leaf_index < size)).scalar()
        return int(found or 0)

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

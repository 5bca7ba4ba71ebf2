"""Verify the trail: every goal's signature chain and the Merkle tree over the log, recomputed from the stored rows.

The verifier reads the raw stored records (not decoded events), so that what it checks is exactly what the
database holds, and it needs only public keys. It stops at the first problem and names the goal, the version and
the log position. The tree's root (RFC 9162) at a size is what a signed checkpoint commits to: checking the log
against a checkpoint kept earlier also reveals deletions the chains alone cannot show (a goal's last event, a whole
goal). The digest (SHA-256 over the signatures in log order) is kept for anchors recorded before the tree.
See ADR 0008, 0013, 0014 and 0015.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.utils import TopicError, resolve_topic

from application.audit.leaf import GENESIS
from application.audit.keys import Keyring
from application.audit.leaf import leaf_input, unseal
from application.audit.merkle import CompactRange, leaf_hash
from application.audit.read_check import UnreadableRowError, readable_page
from application.audit.note import Checkpoint
from application.audit.tamper import (TamperFinding, diagnose_mismatch, diagnose_version, signature_holds,
                                      undecodable_finding)
from application.errors import ApplicationError
from application.goals.service import Goals

PAGE_SIZE = 500


@cache
def creates_an_aggregate(topic: str) -> bool:
    """Whether events of this topic start an aggregate's stream (a goal's Drafted, a cycle's Opened...)."""
    try:
        return issubclass(resolve_topic(topic), Aggregate.Created)
    except (TopicError, ValueError, ImportError, AttributeError):
        return False


class LogPositionError(ApplicationError):
    """A log position that is not in the log (yet): a result there would change as events are added."""

    code = "position_out_of_range"


@dataclass(frozen=True)
class TrailVerification:
    """The outcome of a verification up to a log position: count, digest, tree size and root, or the first problem."""

    position: int
    events: int
    digest: str
    tree_size: int
    root_hash: str
    problem: TamperFinding | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"intact": self.intact, "events": self.events, "digest": self.digest,
                                "position": self.position, "tree_size": self.tree_size, "root_hash": self.root_hash}
        if self.problem is not None:
            body["problem"] = self.problem.as_dict()
        return body


class ChainWalk:
    """Follows every goal's chain through the log and grows the tree; remembers each goal's last signature."""

    def __init__(self, recorder: ApplicationRecorder, keyring: Keyring) -> None:
        self.recorder = recorder
        self.keyring = keyring
        self.heads: dict[str, tuple[int, str]] = {}
        self.events = 0
        self.digest = hashlib.sha256()
        self.tree = CompactRange()

    def check(self, row: Notification) -> TamperFinding | None:
        goal_id = str(row.originator_id)
        last_version, previous = self.heads.get(goal_id, (0, GENESIS))
        finding = diagnose_version(self.recorder, row, last_version)
        if finding is None and last_version == 0 and not creates_an_aggregate(row.topic):
            finding = TamperFinding("inserted", goal_id, row.originator_version, row.id,
                                    f"the aggregate's first event is a {row.topic}, not the one that creates it")
        if finding is None:
            finding = undecodable_finding(row)
        if finding is not None:
            return finding
        sealed = unseal(row.state)
        if sealed is None or not signature_holds(self.keyring, row, sealed, previous):
            return diagnose_mismatch(self.recorder, self.keyring, row)
        self.heads[goal_id] = (row.originator_version, sealed.field)
        self.events += 1
        self.digest.update(sealed.field.encode() + b"\n")
        self.tree.append(leaf_hash(leaf_input(row.originator_id, row.originator_version, row.topic, row.state)))
        return None

    def outcome(self, position: int, problem: TamperFinding | None = None) -> TrailVerification:
        root = base64.b64encode(self.tree.root()).decode()
        return TrailVerification(position, self.events, self.digest.hexdigest(), self.tree.size, root, problem)


def verify_trail(
    goals: Goals, *, position: int | None = None, expected_digest: str | None = None,
    checkpoint: Checkpoint | None = None, page_size: int = PAGE_SIZE,
) -> TrailVerification:
    """Recompute every chain and the tree up to a position (default: the head); hold them to a digest or checkpoint."""
    until = checked_position(goals, position, anchored=expected_digest is not None or checkpoint is not None)
    walk = ChainWalk(goals.recorder, goals.audit_keys.keyring)
    try:
        for row in stored_rows(goals.recorder, until, page_size):
            finding = walk.check(row)
            if finding is None and checkpoint is not None and walk.tree.size == checkpoint.size:
                finding = checkpoint_finding(walk, checkpoint, row.id)
            if finding is not None:
                return walk.outcome(until, finding)
    except UnreadableRowError as error:
        return walk.outcome(until, TamperFinding("undecodable", None, None, error.after, error.message))
    if checkpoint is not None and walk.tree.size < checkpoint.size:
        return walk.outcome(until, checkpoint_finding(walk, checkpoint, until))
    result = walk.outcome(until)
    if expected_digest is not None and expected_digest.strip().lower() != result.digest:
        finding = TamperFinding(
            "digest_mismatch", None, None, until,
            f"the log's digest at position {until} is {result.digest}, not the recorded {expected_digest}: "
            "events up to that position were removed or replaced although every remaining chain holds",
        )
        return walk.outcome(until, finding)
    return result


def checkpoint_finding(walk: ChainWalk, checkpoint: Checkpoint, position: int) -> TamperFinding | None:
    """None when the log's first `checkpoint.size` events still hash to the checkpoint's root."""
    recorded = base64.b64encode(checkpoint.root).decode()
    if walk.tree.size == checkpoint.size and walk.tree.root() == checkpoint.root:
        return None
    if walk.tree.size < checkpoint.size:
        why = f"the log now holds only {walk.tree.size} events"
    else:
        why = f"its first {checkpoint.size} events now hash to {base64.b64encode(walk.tree.root()).decode()}"
    return TamperFinding(
        "checkpoint_mismatch", None, None, position,
        f"the log no longer contains the checkpoint of size {checkpoint.size} with root {recorded}: {why}; "
        "events behind the checkpoint were removed or rewritten",
    )


def checked_position(goals: Goals, position: int | None, *, anchored: bool = False) -> int:
    """The position asked for, if the log has reached it; the head when none is asked for.

    An anchored digest is checked at its own position even when the log is now shorter: that the head has
    fallen below a recorded position is itself a sign of deletion, which the digest comparison then reports.
    """
    head = goals.head_position()
    if position is None:
        return head
    if position < 0 or (position > head and not anchored):
        raise LogPositionError(
            f"position {position} is not in the log: it runs from 0 to {head}", position=position, head=head
        )
    return position


def stored_rows(recorder: ApplicationRecorder, until: int, page_size: int) -> Iterator[Notification]:
    """The stored goal events with positions up to `until`, in log order, a page at a time."""
    position = 0
    while position < until:
        page = readable_page(recorder, position, page_size, stop=until, inclusive_of_start=False)
        yield from page
        if len(page) < page_size:
            return
        position = page[-1].id

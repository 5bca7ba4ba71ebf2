"""Verify the tamper-evident trail: recompute every goal's hash chain from the stored rows, in log order.

The verifier reads the raw stored records (not decoded events), so that what it checks is exactly what the
database holds. It stops at the first problem and names the goal, the version and the log position. The log's
digest at a position (SHA-256 over the chain links in log order) lets an auditor anchor what they saw: a later
verification against that digest also reveals deletions the chains alone cannot show (a goal's last event).
See ADR 0004 and ADR 0007.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification

from application.audit.chain import GENESIS, link
from application.audit.tamper import (
    TamperFinding,
    diagnose_mismatch,
    diagnose_version,
    parse_state,
)
from application.errors import ApplicationError
from application.goals import Goals
from domain.goal import Goal

PAGE_SIZE = 500
DRAFTED_TOPIC = Goal.Drafted.TOPIC


class LogPositionError(ApplicationError):
    """A log position that is not in the log (yet): a result there would change as events are added."""

    code = "position_out_of_range"


@dataclass(frozen=True)
class TrailVerification:
    """The outcome of a verification up to a log position: the digest and count, or the first problem."""

    position: int
    events: int
    digest: str
    problem: TamperFinding | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"intact": self.intact, "events": self.events, "digest": self.digest,
                                "position": self.position}
        if self.problem is not None:
            body["problem"] = self.problem.as_dict()
        return body


class LogDigest:
    """SHA-256 over each event's chain link and a newline, in log order: anyone with the rows can recompute it."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, chained: str) -> None:
        self._hash.update(chained.encode() + b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class ChainWalk:
    """Follows every goal's chain through the log; remembers each goal's last verified version and link."""

    def __init__(self, recorder: ApplicationRecorder, key: bytes) -> None:
        self.recorder = recorder
        self.key = key
        self.heads: dict[str, tuple[int, str]] = {}
        self.events = 0
        self.digest = LogDigest()

    def check(self, row: Notification) -> TamperFinding | None:
        goal_id = str(row.originator_id)
        last_version, previous = self.heads.get(goal_id, (0, GENESIS))
        finding = diagnose_version(self.recorder, row, last_version)
        if finding is None and last_version == 0 and row.topic != DRAFTED_TOPIC:
            finding = TamperFinding("inserted", goal_id, row.originator_version, row.id,
                                    f"the goal's first event is a {row.topic}, not a Drafted")
        if finding is not None:
            return finding
        state, chained = parse_state(row.state)
        if state is None or chained is None or chained != link(
            self.key, previous, goal_id, row.originator_version, row.topic, state
        ):
            return diagnose_mismatch(self.recorder, self.key, row)
        self.heads[goal_id] = (row.originator_version, chained)
        self.events += 1
        self.digest.add(chained)
        return None


def verify_trail(
    goals: Goals, *, position: int | None = None, expected_digest: str | None = None, page_size: int = PAGE_SIZE
) -> TrailVerification:
    """Recompute every chain up to a log position (default: the head); compare the digest if one is expected."""
    until = checked_position(goals, position, anchored=expected_digest is not None)
    walk = ChainWalk(goals.recorder, goals.settings.audit_key)
    for row in stored_rows(goals.recorder, until, page_size):
        finding = walk.check(row)
        if finding is not None:
            return TrailVerification(until, walk.events, walk.digest.hexdigest(), finding)
    digest = walk.digest.hexdigest()
    if expected_digest is not None and expected_digest.strip().lower() != digest:
        finding = TamperFinding(
            "digest_mismatch", None, None, until,
            f"the log's digest at position {until} is {digest}, not the recorded {expected_digest}: "
            "events up to that position were removed or replaced although every remaining chain holds",
        )
        return TrailVerification(until, walk.events, digest, finding)
    return TrailVerification(until, walk.events, digest)


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
        page = recorder.select_notifications(position, page_size, stop=until, inclusive_of_start=False)
        yield from page
        if len(page) < page_size:
            return
        position = page[-1].id

"""What kind of tampering a broken chain shows: changed, removed, inserted, reordered or forged (ADR 0007).

Called only once the walk over the log has found a problem, so it may read the goal's other rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from application.audit.chain import CHAIN_FIELD, GENESIS, link


@dataclass(frozen=True)
class TamperFinding:
    """The first bad event: which goal and version, where in the log, what kind of tampering, in words."""

    kind: str
    goal_id: str | None
    version: int | None
    position: int
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "goal_id": self.goal_id, "version": self.version, "position": self.position,
                "detail": self.detail}


def parse_state(state: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The stored state without its link, and the link; None for what is missing or not JSON."""
    try:
        raw = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    chained = raw.pop(CHAIN_FIELD, None)
    return raw, chained if isinstance(chained, str) else None


def diagnose_version(recorder: ApplicationRecorder, row: Notification, last_version: int) -> TamperFinding | None:
    """A row whose version does not follow the goal's last verified version: a gap, a repeat or a reordering."""
    goal_id, version, expected = str(row.originator_id), row.originator_version, last_version + 1
    if version == expected:
        return None
    if version < expected:
        return TamperFinding("inserted", goal_id, version, row.id,
                             f"version {version} appears again after version {last_version} of the goal")
    if recorder.select_events(row.originator_id, gt=last_version, lte=version - 1, limit=1):
        return TamperFinding("reordered", goal_id, version, row.id,
                             f"version {version} comes before version {expected}, which is stored later in the log")
    missing = str(expected) if expected == version - 1 else f"{expected} to {version - 1}"
    return TamperFinding("removed", goal_id, expected, row.id,
                         f"version {missing} of the goal is missing: the chain jumps from {last_version} to {version}")


def diagnose_mismatch(recorder: ApplicationRecorder, key: bytes, row: Notification) -> TamperFinding:
    """A row whose link does not match its content: moved from elsewhere, altered, or forged."""
    goal_id, version = str(row.originator_id), row.originator_version
    state, chained = parse_state(row.state)
    rows = {stored.originator_version: stored for stored in recorder.select_events(row.originator_id)}
    if state is not None and chained is not None:
        signed_as = version_signed(key, row, state, chained, rows)
        if signed_as is not None:
            return TamperFinding("reordered", goal_id, version, row.id,
                                 f"version {version} holds the event that was signed as version {signed_as}")
        if vouched_by_next(key, row, chained, rows.get(version + 1)):
            return TamperFinding("changed", goal_id, version, row.id,
                                 f"version {version} was altered after it was stored: its content no longer "
                                 "matches its link, which the next event still vouches for")
    missing = "has no chain link" if chained is None or state is None else "has a link that does not match it"
    return TamperFinding("forged", goal_id, version, row.id,
                         f"version {version} {missing} and no later event vouches for it: it was altered or "
                         "inserted by someone without the audit key")


def version_signed(
    key: bytes, row: Notification, state: dict[str, Any], chained: str, rows: dict[int, StoredEvent]
) -> int | None:
    """The other version of the same goal whose link this content carries (two rows' data swapped), if any."""
    for other in sorted(rows):
        if other == row.originator_version:
            continue
        topics = {row.topic, rows[other].topic}
        for previous in candidate_previous_links(other, rows):
            for topic in topics:
                if link(key, previous, row.originator_id, other, topic, state) == chained:
                    return other
    return None


def candidate_previous_links(version: int, rows: dict[int, StoredEvent]) -> Sequence[str]:
    """Where the link before `version` may now sit: its own row, or (for adjacent swaps) the row of `version`."""
    if version == 1:
        return [GENESIS]
    links = [parse_state(rows[v].state)[1] for v in (version - 1, version) if v in rows]
    return [found for found in links if found is not None]


def vouched_by_next(key: bytes, row: Notification, chained: str, following: StoredEvent | None) -> bool:
    """Whether the goal's next event was chained to this row's link: then the link is genuine, the content not."""
    if following is None:
        return False
    state, next_link = parse_state(following.state)
    if state is None or next_link is None:
        return False
    return next_link == link(key, chained, row.originator_id, following.originator_version, following.topic, state)

"""What kind of tampering a broken chain shows: changed, removed, inserted, reordered or forged (ADR 0008, 0013).

Called only once the walk over the log has found a problem, so it may read the goal's other rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent

from application.audit.keys import Keyring
from application.audit.leaf import EVENT_DOMAIN, GENESIS, Sealed, message, unseal


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


def signature_holds(keyring: Keyring, row: StoredEvent, sealed: Sealed, previous: str, version: int | None = None,
                    topic: str | None = None) -> bool:
    """Whether the row's signature covers its content as `version` (default: its own) after `previous`."""
    signed = message(EVENT_DOMAIN, row.originator_id, version or row.originator_version, topic or row.topic,
                     previous, sealed.unsigned)
    return keyring.verify(sealed.key_id, sealed.signature, signed)


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


def diagnose_mismatch(recorder: ApplicationRecorder, keyring: Keyring, row: Notification) -> TamperFinding:
    """A row whose signature does not hold for its content: moved from elsewhere, altered, or forged."""
    goal_id, version = str(row.originator_id), row.originator_version
    sealed = unseal(row.state)
    if sealed is None:
        return TamperFinding("forged", goal_id, version, row.id,
                             f"version {version} carries no signature: it was written without the signing key")
    if sealed.key_id not in keyring.keys:
        return TamperFinding("forged", goal_id, version, row.id,
                             f"version {version} is signed by key {sealed.key_id}, which is not a trusted public "
                             "key: it was re-signed or inserted by someone without the audit signing key")
    rows = {stored.originator_version: stored for stored in recorder.select_events(row.originator_id)}
    signed_as = version_signed(keyring, row, sealed, rows)
    if signed_as is not None:
        return TamperFinding("reordered", goal_id, version, row.id,
                             f"version {version} holds the event that was signed as version {signed_as}")
    if vouched_by_next(keyring, sealed, rows.get(version + 1)):
        return TamperFinding("changed", goal_id, version, row.id,
                             f"version {version} was altered after it was stored: its content no longer matches "
                             "its signature, which the next event still vouches for")
    return TamperFinding("forged", goal_id, version, row.id,
                         f"version {version} has a signature that does not hold and no later event vouches for it: "
                         "it was altered or inserted by someone without the audit signing key")


def version_signed(keyring: Keyring, row: Notification, sealed: Sealed, rows: dict[int, StoredEvent]) -> int | None:
    """The other version of the same goal whose signature this content carries (two rows' data swapped), if any."""
    for other in sorted(rows):
        if other == row.originator_version:
            continue
        for previous in candidate_previous(other, rows):
            for topic in {row.topic, rows[other].topic}:
                if signature_holds(keyring, row, sealed, previous, other, topic):
                    return other
    return None


def candidate_previous(version: int, rows: dict[int, StoredEvent]) -> list[str]:
    """Where the signature before `version` may now sit: its own row, or (for adjacent swaps) the row of `version`."""
    if version == 1:
        return [GENESIS]
    found = [unseal(rows[v].state) for v in (version - 1, version) if v in rows]
    return [sealed.field for sealed in found if sealed is not None]


def vouched_by_next(keyring: Keyring, sealed: Sealed, following: StoredEvent | None) -> bool:
    """Whether the goal's next event was chained to this row's signature: then the signature is genuine, the content
    not."""
    if following is None:
        return False
    next_sealed = unseal(following.state)
    return next_sealed is not None and signature_holds(keyring, following, next_sealed, sealed.field)


def undecodable_finding(row: Notification) -> TamperFinding | None:
    """A row whose state is not bytes (TEXT stored in place of the signed BLOB): a finding, never a traceback."""
    state: object = row.state  # typed bytes, but SQLite hands back whatever an editor stored
    if isinstance(state, bytes | bytearray | memoryview):
        return None
    return TamperFinding("undecodable", str(row.originator_id), row.originator_version, row.id,
                         f"version {row.originator_version} is stored as {type(state).__name__}, not as the "
                         "bytes that were signed: the row was edited in the database")

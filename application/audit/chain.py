"""Tamper evidence: every stored goal event carries an HMAC chained to the previous event of the same goal.

The link covers a canonical form of everything stored for the event (goal id, version, topic and the whole
state, which holds the timestamp and data). Changing, removing, inserting or reordering a stored event breaks
the chain from that event on; without the audit key a forged event cannot carry a valid link. See ADR 0004.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

CHAIN_FIELD = "_chain"
GENESIS = ""


def canonical(originator_id: UUID | str, version: int, topic: str, state: dict[str, Any]) -> bytes:
    body = {"goal_id": str(originator_id), "version": version, "topic": topic, "state": state}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(key: bytes, previous: str, originator_id: UUID | str, version: int, topic: str, state: dict[str, Any]) -> str:
    message = previous.encode() + b"\n" + canonical(originator_id, version, topic, state)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def split_state(state: bytes) -> tuple[dict[str, Any], str | None]:
    """The stored state without its chain link, and the link (None when there is none)."""
    raw = json.loads(state)
    chained = raw.pop(CHAIN_FIELD, None) if isinstance(raw, dict) else None
    return raw, chained


class ChainHeads:
    """The last known link of each goal, so a save need not read it back from the store."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._heads: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, originator_id: str, version: int) -> str | None:
        with self._lock:
            head = self._heads.get(originator_id)
        return head[1] if head and head[0] == version else None

    def advance(self, originator_id: str, version: int, chained: str) -> None:
        with self._lock:
            head = self._heads.get(originator_id)
            if head is None or head[0] < version:
                self._heads[originator_id] = (version, chained)
                self._heads.move_to_end(originator_id)
                if len(self._heads) > self._maxsize:
                    self._heads.popitem(last=False)


class PendingLinks:
    """Links of events converted but not yet committed: a save of several events chains each to the one before."""

    def __init__(self, maxsize: int = 10_000) -> None:
        self._links: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._lock = threading.Lock()
        self._maxsize = maxsize

    def get(self, originator_id: str, version: int) -> str | None:
        with self._lock:
            return self._links.get((originator_id, version))

    def put(self, originator_id: str, version: int, chained: str) -> None:
        with self._lock:
            self._links[(originator_id, version)] = chained
            self._links.move_to_end((originator_id, version))
            if len(self._links) > self._maxsize:
                self._links.popitem(last=False)

    def discard(self, originator_id: str, version: int) -> None:
        with self._lock:
            self._links.pop((originator_id, version), None)


class ChainingMapper(Mapper[UUID]):
    """Adds the chain link to each goal event as it is stored; snapshots are not chained (they are derived)."""

    def __init__(
        self,
        transcoder: Transcoder,
        key: bytes,
        last_stored: Callable[[UUID | str], Sequence[StoredEvent]],
    ) -> None:
        super().__init__(transcoder=transcoder)
        self.key = key
        self.heads = ChainHeads()
        self.pending = PendingLinks()
        self._last_stored = last_stored

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        stored = super().to_stored_event(domain_event)
        if isinstance(domain_event, Snapshot):
            return stored
        state = json.loads(stored.state)
        previous = self._previous_link(stored.originator_id, stored.originator_version)
        state[CHAIN_FIELD] = link(self.key, previous, stored.originator_id, stored.originator_version, stored.topic, state)
        self.pending.put(str(stored.originator_id), stored.originator_version, state[CHAIN_FIELD])
        return StoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode(),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        domain_event = super().to_domain_event(stored_event)
        chained = vars(domain_event).pop(CHAIN_FIELD, None)
        if chained is not None:
            self.heads.advance(str(stored_event.originator_id), stored_event.originator_version, chained)
        return domain_event

    def remember(self, stored_event: StoredEvent) -> None:
        """Called once an event is committed: its link is the next event's previous link."""
        _, chained = split_state(stored_event.state)
        self.pending.discard(str(stored_event.originator_id), stored_event.originator_version)
        if chained is not None:
            self.heads.advance(str(stored_event.originator_id), stored_event.originator_version, chained)

    def _previous_link(self, originator_id: UUID | str, version: int) -> str:
        if version == 1:
            return GENESIS
        cached = self.heads.get(str(originator_id), version - 1)
        if cached is not None:
            return cached
        for stored in self._last_stored(originator_id):
            if stored.originator_version == version - 1:
                return split_state(stored.state)[1] or GENESIS
        # Not stored yet: the previous event is earlier in the same save (the Agreed after the second signature,
        # the SignatureVoided after a revision). The store and the heads come first, so that a link left over
        # from a failed save is never used once another writer has stored that version.
        pending = self.pending.get(str(originator_id), version - 1)
        if pending is not None:
            return pending
        # Otherwise this save will fail on its version, so any link will do.
        return GENESIS

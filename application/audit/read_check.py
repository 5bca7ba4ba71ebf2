"""Reads check what they serve: every stored event decoded to answer a request is held to its signature chain first.

The signature of version v covers its stored bytes and version v-1's signature (application/audit/leaf.py), so
checking it needs only the previous signature: the one decoded just before on this thread (a replay goes in version
order), the chain head cached after a save or a checked read, or else the stored row before it. A row this process
checked (or stored itself) before is remembered by the SHA-256 of its bytes: the same bytes again need no second
Ed25519 check, which keeps a cold read of a long goal near the cost of a read without checks. A row that fails is
`TamperedEventError` (409 `tampered_event`, naming goal, version and kind, never a value); so is a row that cannot be
decoded at all (TEXT stored where the signed bytes were). See ADR 0038.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.utils import TopicError, resolve_topic

from application.audit.keys import Keyring
from application.audit.leaf import EVENT_DOMAIN, checked_field, message, unseal
from application.audit.read_seals import ReadSeals, fingerprint
from application.audit.tamper import diagnose_mismatch
from application.errors import ApplicationError
from application.store.bounds import Bounds

GENESIS = ""
UNREADABLE = (ValueError, TypeError, AttributeError, UnicodeDecodeError)


class TamperedEventError(ApplicationError):
    """A stored event that is not what was signed (or cannot be read at all): nothing of it is served."""

    code = "tampered_event"

    def __init__(self, goal_id: UUID | str, version: int, kind: str, detail: str) -> None:
        super().__init__(f"event {goal_id}:{version} is not served: {detail}", goal_id=str(goal_id),
                         version=version, kind=kind)
        self.kind = kind


class UnreadableRowError(ApplicationError):
    """A stored row the store itself cannot decode (an id that is no UUID, a state of the wrong type)."""

    code = "tampered_event"

    def __init__(self, after: int, error: BaseException) -> None:
        super().__init__(f"the stored row after log position {after} cannot be decoded ({type(error).__name__}): "
                         "it was edited in the database", position=after, kind="undecodable")
        self.after = after


def readable_page(recorder: ApplicationRecorder, start: int, limit: int, **options: Any) -> list[Notification]:
    """`select_notifications`, with a row the store cannot decode named as UnreadableRowError, never a traceback."""
    try:
        return list(recorder.select_notifications(start, limit, **options))
    except UNREADABLE:
        pass
    after = start if options.get("inclusive_of_start", True) is False else start - 1
    for _ in range(limit):  # narrow it down to the one row, reading one at a time
        try:
            rows = recorder.select_notifications(after, 1, inclusive_of_start=False)
        except UNREADABLE as error:
            raise UnreadableRowError(after, error) from None
        if not rows:
            break
        after = rows[0].id
    raise UnreadableRowError(after, ValueError("a row the store cannot decode"))


@cache
def is_snapshot(topic: str) -> bool:
    """Snapshots are checked by their own store (application/audit/snapshots.py), against the event they stand at."""
    try:
        cls = resolve_topic(topic)
    except (TopicError, ValueError, ImportError, AttributeError):
        return False
    return isinstance(cls, type) and issubclass(cls, Snapshot)


def undecodable(stored: StoredEvent, error: BaseException) -> TamperedEventError:
    return TamperedEventError(stored.originator_id, stored.originator_version, "undecodable",
                              f"its stored row cannot be decoded ({type(error).__name__}): it was edited in the "
                              "database")


class ReadCheck:
    """Checks a stored event's signature and chain link (TamperedEventError when they do not hold)."""

    def __init__(self, keyring: Keyring, stored_at: Callable[[UUID | str, int], Sequence[StoredEvent]],
                 cached_head: Callable[[str, int], str | None], recorder: Callable[[], ApplicationRecorder],
                 seals: ReadSeals | None = None, bounds: Bounds | None = None) -> None:
        self.keyring = keyring
        self.seals = seals  # None without the signing key: every first read checks the signature (ADR 0050)
        # How many checked rows are remembered, and how many goals' last signatures each thread keeps (ADR 0045).
        self.bounds = bounds or Bounds()
        self._stored_at = stored_at
        self._cached_head = cached_head
        self._recorder = recorder
        self._local = threading.local()
        self._checked: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, stored: StoredEvent) -> None:
        goal_id, version = str(stored.originator_id), stored.originator_version
        state: object = stored.state  # what the store gave back, whatever its column held
        if type(state) is not bytes and not isinstance(state, bytearray | memoryview):
            raise TamperedEventError(goal_id, version, "undecodable",
                                     f"its stored state is {type(state).__name__}, not the bytes that were "
                                     "signed: it was edited in the database")
        digest = fingerprint(stored)
        if self._checked.get((goal_id, version)) == digest:  # a read of one dict entry needs no lock
            return
        previous = self._previous(goal_id, stored.originator_id, version)
        if self.seals is not None and self.seals.vouches_for(stored, goal_id, previous, digest):
            field = checked_field(bytes(stored.state))
        else:
            field = self._signature_field(stored, previous)
            if self.seals is not None:
                self.seals.checked(goal_id, version, previous, digest)
        self._remember(goal_id, version, field)
        self.checked(stored, digest)

    def signed(self, stored: StoredEvent, previous: str) -> None:
        """An event this process has just signed (application/audit/chain.py): sealed as it is stored."""
        if self.seals is not None:
            self.seals.signed(str(stored.originator_id), stored.originator_version, previous, fingerprint(stored))

    def _signature_field(self, stored: StoredEvent, previous: str) -> str:
        """Its signature field once its Ed25519 signature holds for this chain link (else TamperedEventError)."""
        sealed = unseal(bytes(stored.state))
        if sealed is None or not self.keyring.verify(sealed.key_id, sealed.signature, message(
                EVENT_DOMAIN, str(stored.originator_id), stored.originator_version, stored.topic, previous,
                sealed.unsigned)):
            raise self._tampered(stored)
        return sealed.field

    def checked(self, stored: StoredEvent, digest: bytes | None = None) -> None:
        """Remember a row whose signature held (or that this process signed and stored itself)."""
        key = (str(stored.originator_id), stored.originator_version)
        with self._lock:
            if key in self._checked:
                self._checked.move_to_end(key)
            self._checked[key] = digest or fingerprint(stored)
            if len(self._checked) > self.bounds.checked_events:
                self._checked.popitem(last=False)

    def _previous(self, goal_id: str, originator_id: UUID | str, version: int) -> str:
        if version == 1:
            return GENESIS
        last = self._last().get(goal_id)
        if last is not None and last[0] == version - 1:
            return last[1]
        cached = self._cached_head(goal_id, version - 1)
        if cached is not None:
            return cached
        before = self._stored_at(originator_id, version - 1)
        sealed = unseal(before[0].state) if before and isinstance(before[0].state, bytes) else None
        if sealed is None:
            raise TamperedEventError(goal_id, version - 1, "removed",
                                     "the version before it is missing or unreadable, so its chain cannot be checked")
        return sealed.field

    def _tampered(self, stored: StoredEvent) -> TamperedEventError:

        row = Notification(stored.originator_id, stored.originator_version, stored.topic, bytes(stored.state), 0)
        finding = diagnose_mismatch(self._recorder(), self.keyring, row)
        return TamperedEventError(stored.originator_id, stored.originator_version, finding.kind,
                                  f"its signature does not hold ({finding.kind}): it was edited in the database")

    def _last(self) -> dict[str, tuple[int, str]]:
        last: dict[str, tuple[int, str]] | None = getattr(self._local, "last", None)
        if last is None or len(last) >= self.bounds.replay_heads:
            last = self._local.last = {}
        return last

    def _remember(self, goal_id: str, version: int, field: str) -> None:
        self._last()[goal_id] = (version, field)

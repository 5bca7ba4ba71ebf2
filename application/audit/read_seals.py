"""Read seals: a MAC the signing key's holder keeps beside each event it signed or checked (ADR 0050).

A seal is a keyed BLAKE2b MAC (RFC 7693; one pass, about three times cheaper here than HMAC-SHA256) under a key
derived from the private signing key, so it lives where that key lives and never in the database. It covers the
public keyring, the event's goal and version, the previous event's signature field (the chain link its signature
covers) and the SHA-256 of its topic and exact stored bytes (its own signature included). The holder makes one only
for an event it signed itself, or whose signature it has just checked against that very link, so a seal that holds
for the rows read now says what checking the signature would say, at the cost of a MAC instead of an Ed25519
verification. Whoever writes the database but lacks the key cannot make one: a forged, copied or stale seal does not
hold, and the signature is checked as before.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.persistence import StoredEvent

from application.audit.keys import Keyring, Signer, raw_public
from application.store.bounds import Bounds
from application.store.seal_rows import SealedStoredEvent, SealRow

log = logging.getLogger("goalengine.audit")

SEAL_DOMAIN = b"goalengine/read-seal/v1\n"
KEY_INFO = b"goalengine/read-seal-key/v1"  # HKDF info: the seal key is used for nothing else


def fingerprint(stored: StoredEvent) -> bytes:
    """SHA-256 of an event's topic and exact stored bytes (the topic length first, so no two rows share one)."""
    topic = stored.topic.encode()
    digest = hashlib.sha256(b"%d:%b\n" % (len(topic), topic))
    digest.update(stored.state)
    return digest.digest()


class SealStore(Protocol):
    def select_seals(self, originator_id: str, from_version: int) -> dict[int, bytes]: ...

    def write_seals(self, rows: Sequence[SealRow]) -> None: ...


def seal_key(signer: Signer) -> bytes:
    """The seal key: HKDF-SHA256 of the private signing key, so it is kept, backed up and rotated with it."""
    raw = signer.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                       serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(raw)


def keyring_digest(keyring: Keyring) -> bytes:
    """Seals made under one keyring do not hold under another (a key dropped from it stops vouching at once)."""
    return hashlib.sha256(b"".join(sorted(raw_public(key) for key in keyring.keys.values()))).digest()


class ReadSeals:
    """Makes, stores and checks the seals of one application's events."""

    def __init__(self, key: bytes, keyring: Keyring, store: Callable[[], SealStore],
                 bounds: Bounds | None = None) -> None:
        # How many aggregates' stored seals a thread keeps, how many fresh seals wait for their save, and how many
        # checked ones are queued before they are written on their own (ADR 0045).
        self.bounds = bounds or Bounds()
        self._prefix = SEAL_DOMAIN + keyring_digest(keyring)
        self._key = key
        self._store = store
        self._local = threading.local()
        self._lock = threading.Lock()
        self._fresh: OrderedDict[tuple[str, int], tuple[bytes, bytes]] = OrderedDict()  # digest, seal
        self._queued: dict[tuple[str, int], bytes] = {}

    def seal(self, goal_id: str, version: int, previous: str, digest: bytes) -> bytes:
        """The seal of one event: `digest` is `fingerprint` of its stored row (application/audit/read_check.py)."""
        return hashlib.blake2b(b"%b%b\n%d\n%b\n%b" % (self._prefix, goal_id.encode(), version, previous.encode(),
                                                        digest), key=self._key, digest_size=32).digest()

    def vouches_for(self, stored: StoredEvent, goal_id: str, previous: str, digest: bytes) -> bool:
        """Whether the stored seal of this event vouches for exactly its bytes after this chain link."""
        version = stored.originator_version
        # Read with the event (the recorders join it in: ADR 0050), or else looked up for its aggregate.
        found = stored.seal if isinstance(stored, SealedStoredEvent) else self._stored(goal_id, version)
        return found is not None and hmac.compare_digest(found, self.seal(goal_id, version, previous, digest))

    def signed(self, goal_id: str, version: int, previous: str, digest: bytes) -> None:
        """An event this process has just signed: its seal is written in the transaction that stores it."""
        with self._lock:
            self._fresh[(goal_id, version)] = (digest, self.seal(goal_id, version, previous, digest))
            if len(self._fresh) > self.bounds.fresh_seals:
                self._fresh.popitem(last=False)  # left by saves that failed

    def checked(self, goal_id: str, version: int, previous: str, digest: bytes) -> None:
        """An event whose signature has just held on reading: sealed, so the next reader need not check it again."""
        with self._lock:
            self._queued[(goal_id, version)] = self.seal(goal_id, version, previous, digest)
            full = len(self._queued) >= self.bounds.queued_seals
        if full:
            self.flush()

    def rows_for(self, stored_events: Sequence[StoredEvent]) -> list[SealRow]:
        """The seals to store with these events (the recorder's hook), and every queued one."""
        with self._lock:
            rows = [(goal_id, version, seal) for (goal_id, version), seal in self._queued.items()]
            self._queued.clear()
            for stored in stored_events:
                key = (str(stored.originator_id), stored.originator_version)
                fresh = self._fresh.pop(key, None)
                if fresh is not None and fresh[0] == fingerprint(stored):
                    rows.append((*key, fresh[1]))
        return rows

    def flush(self) -> None:
        """Write the queued seals now, in a transaction of their own (in one order, so two writers never deadlock)."""
        with self._lock:
            rows = sorted((goal_id, version, seal) for (goal_id, version), seal in self._queued.items())
            self._queued.clear()
        if not rows:
            return
        try:
            self._store().write_seals(rows)
        except Exception:  # a seal not written costs a later reader a signature check, never a wrong answer
            log.warning("%d read seals not written; the next reader checks those signatures", len(rows),
                        exc_info=True)

    def _stored(self, goal_id: str, version: int) -> bytes | None:
        fetched: dict[str, tuple[int, dict[int, bytes]]] | None = getattr(self._local, "fetched", None)
        if fetched is None or len(fetched) >= self.bounds.fetched_seal_goals:
            fetched = self._local.fetched = {}
        entry = fetched.get(goal_id)
        if entry is None or version < entry[0] or (version not in entry[1] and version > max(entry[1], default=0)):
            entry = fetched[goal_id] = (version, self._store().select_seals(goal_id, version))
        return entry[1].get(version)

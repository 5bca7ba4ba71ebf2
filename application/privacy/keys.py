"""Data keys: one AES-256-GCM key per person, wrapped by the master key, deleted to erase (ADR 0026).

A person's key is made on the first personal text stored about them. Erasing them deletes the wrapped key but keeps
the row (its id, whose it was, when it was erased), so an erased field is told apart from a key that is merely
missing (another database, a lost table), which fails loudly instead. After an erasure, text written about the same
person later gets a new key: the erasure covers what was there when it happened.
"""

from __future__ import annotations

import base64
import functools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from datetime import datetime, UTC

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, DateTime, Engine, Index, String, Table, Text, func, insert, select, update

from application.store.database import metadata
from application.errors import ApplicationError
from application.store.bounds import Bounds
from application.store.settings import SettingsError

KEY_BYTES = 32
NONCE_BYTES = 12
WRAP_PREFIX = "v1:"
# Erasures made by another process reach this one's caches within this many seconds.
REFRESH_SECONDS = 1.0
# Opened ciphers kept at once. Each holds OpenSSL state (a few KiB) while a key's own bytes are 32, so keys are
# kept as bytes (at most Bounds.data_keys) and only the ciphers in use as ciphers: a rebuild meeting 38,000 people
# grew by 90 MiB otherwise.
CIPHERS_KEPT = Bounds.data_key_ciphers

data_keys = Table(
    "data_keys", metadata,
    Column("key_id", String(32), primary_key=True),
    Column("subject_id", String(200), nullable=False),
    Column("wrapped", Text, nullable=True),  # the data key sealed by the master key; NULL once erased
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    Index("data_keys_subject", "subject_id"),
)


class DataMasterKeyMissingError(ApplicationError):
    """No master key is configured, so personal text can be neither sealed nor opened."""

    code = "data_master_key_missing"


class DataKeyMissingError(ApplicationError):
    """A sealed field names a data key this store never held: not an erasure, a broken store."""

    code = "data_key_missing"


class DataKeys:
    """Makes, opens and erases the data keys of one store; caches opened keys, and forgets them on erasure."""

    def __init__(self, engine: Engine, master_key: bytes | None, kept: int = Bounds.data_keys) -> None:
        self.engine = engine
        self._master = AESGCM(master_key) if master_key else None
        self.kept = max(kept, 1)
        self._keys: OrderedDict[str, bytes | None] = OrderedDict()  # key id -> the unwrapped key, None once erased
        self._active: OrderedDict[str, str] = OrderedDict()  # subject -> the key id their new text is sealed with
        self._lock = threading.Lock()
        self._erased_seen = -1
        self._checked_at = 0.0
        self.refresh_seconds = REFRESH_SECONDS
        self.on_erasure: list[Callable[[], None]] = []
        metadata.create_all(engine, tables=[data_keys])

    def require_usable_master(self) -> None:
        """SettingsError naming GOALENGINE_DATA_MASTER_KEY_FILE when the store holds sealed text (it has data keys)
        and no master key is configured, or the master key does not open the store's wrapped keys: a process
        started so would fail on the first sealed event it reads, so it must not start."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(data_keys.c.key_id, data_keys.c.wrapped)
                                      .order_by(data_keys.c.wrapped.is_(None), data_keys.c.key_id).limit(1)).all()
        if not rows:
            return
        if self._master is None:
            raise SettingsError("GOALENGINE_DATA_MASTER_KEY_FILE is not set, but this store holds sealed personal "
                                "text: name the file of the master key it was sealed with (64 hex digits)")
        key_id, wrapped = rows[0]
        if wrapped is not None and _opened(self._master, key_id, wrapped) is None:
            raise SettingsError("GOALENGINE_DATA_MASTER_KEY_FILE: this master key does not open the store's data "
                                f"keys (key {key_id}); name the file of the key the store was sealed with")

    def active_key(self, subject_id: str) -> tuple[str, AESGCM]:
        """The key id and cipher that new personal text about this person is sealed with (made if none)."""
        master = self._require_master()
        self.refresh_if_stale()
        key_id = self._active.get(subject_id)
        if key_id is None:
            key_id = self._stored_active(subject_id) or self._create(master, subject_id)
            _keep(self._active, subject_id, key_id, self.kept, self._lock)
        cipher = self.cipher(key_id)
        assert cipher is not None, "an active key is never erased"
        return key_id, cipher

    def cipher(self, key_id: str) -> AESGCM | None:
        """The key's cipher, or None if it was erased."""
        self.refresh_if_stale()
        if key_id not in self._keys:
            # One query for every key while they fit (a rebuild meets thousands of people in a row), else this one.
            self._load(None if len(self._keys) < self.kept else key_id)
        if key_id not in self._keys:
            raise DataKeyMissingError(f"data key {key_id} is not in this store (not erased: missing)", key_id=key_id)
        with self._lock:
            self._keys.move_to_end(key_id)
            key = self._keys[key_id]
        return None if key is None else _cipher_of(key)

    def _load(self, only: str | None) -> None:
        master = self._require_master()
        query = select(data_keys.c.key_id, data_keys.c.wrapped)
        with self.engine.connect() as connection:
            rows = connection.execute(query if only is None else query.where(data_keys.c.key_id == only)).all()
        for key_id, wrapped in rows:
            if key_id not in self._keys and (only is not None or len(self._keys) < self.kept):
                key = _unwrap(master, key_id, wrapped) if wrapped is not None else None
                _keep(self._keys, key_id, key, self.kept, self._lock)

    def keys_of(self, subject_id: str, *, active_only: bool = True) -> list[str]:
        condition = data_keys.c.subject_id == subject_id
        if active_only:
            condition = condition & data_keys.c.erased_at.is_(None)
        with self.engine.connect() as connection:
            return list(connection.execute(select(data_keys.c.key_id).where(condition).order_by(data_keys.c.key_id))
                        .scalars())

    def subjects_with_keys(self) -> set[str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(data_keys.c.subject_id).where(data_keys.c.erased_at.is_(None)))
            return set(rows.scalars())

    def erase(self, subject_id: str, now: datetime | None = None) -> list[str]:
        """Delete the person's data keys (their rows stay, without the key); the ids of the keys erased."""
        key_ids = self.keys_of(subject_id)
        if key_ids:
            with self.engine.begin() as connection:
                connection.execute(update(data_keys).where(data_keys.c.key_id.in_(key_ids))
                                   .values(wrapped=None, erased_at=now or datetime.now(UTC)))
        self._forget()
        return key_ids

    def refresh_if_stale(self) -> None:
        """Forget cached keys (and tell the listeners) once another process has erased someone."""
        now = time.monotonic()
        if now - self._checked_at < self.refresh_seconds:
            return
        self._checked_at = now
        with self.engine.connect() as connection:
            erased = connection.execute(
                select(func.count()).select_from(data_keys).where(data_keys.c.erased_at.is_not(None))).scalar_one()
        if erased != self._erased_seen:
            first = self._erased_seen < 0
            self._erased_seen = erased
            if not first:
                self._forget()
                self._checked_at = now

    def _forget(self) -> None:
        with self._lock:
            self._keys.clear()
            self._active.clear()
            _cipher_of.cache_clear()  # no erased key may stay open in this process
        self._checked_at = 0.0
        for listener in self.on_erasure:
            listener()

    def _stored_active(self, subject_id: str) -> str | None:
        keys = self.keys_of(subject_id)
        return keys[0] if keys else None

    def _create(self, master: AESGCM, subject_id: str) -> str:
        key_id, key = secrets.token_hex(8), AESGCM.generate_key(bit_length=256)
        with self.engine.begin() as connection:
            connection.execute(insert(data_keys).values(
                key_id=key_id, subject_id=subject_id, wrapped=_wrap(master, key_id, key), created_at=datetime.now(UTC)))
        _keep(self._keys, key_id, key, self.kept, self._lock)
        return key_id

    def _require_master(self) -> AESGCM:
        if self._master is None:
            raise DataMasterKeyMissingError(
                "no data master key: set GOALENGINE_DATA_MASTER_KEY_FILE (a file of 64 hex digits)")
        return self._master


def _keep(cache: OrderedDict[str, Any], name: str, value: Any, kept: int, lock: threading.Lock) -> None:
    with lock:
        cache[name] = value
        cache.move_to_end(name)
        while len(cache) > kept:
            cache.popitem(last=False)


@functools.lru_cache(maxsize=CIPHERS_KEPT)
def _cipher_of(key: bytes) -> AESGCM:
    return AESGCM(key)


def _wrap(master: AESGCM, key_id: str, key: bytes) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return WRAP_PREFIX + base64.b64encode(nonce + master.encrypt(nonce, key, key_id.encode())).decode()


def _unwrap(master: AESGCM, key_id: str, wrapped: str) -> bytes:
    key = _opened(master, key_id, wrapped)
    if key is None:  # the master key became unusable (replaced) while serving: 503, as for no key at all
        raise DataMasterKeyMissingError(f"data key {key_id} does not open with this master key; check "
                                        "GOALENGINE_DATA_MASTER_KEY_FILE", key_id=key_id)
    return key


def _opened(master: AESGCM, key_id: str, wrapped: str) -> bytes | None:
    raw = base64.b64decode(wrapped.removeprefix(WRAP_PREFIX))
    try:
        return master.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
    except InvalidTag:
        return None

"""Personal fields sealed in the stored JSON, before the event is signed and hashed into the tree (ADR 0026).

A sealed text is stored as the transcoded value `{"_type_": "personal_text", "_data_": "<key id>:<base64>"}` (a
12-byte nonce and the AES-GCM ciphertext; the key id is the associated data), so every reader that decodes stored
events (the mapper, the rebuild's fast path) opens it, and reads ERASED once the key is gone. A snapshot of a
person's aggregate is sealed whole the same way (`personal_state`): it holds their text too. The signature and the
tree leaf cover these bytes, so neither depends on any data key.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import JSONTranscoder, Transcoder, Transcoding

from application.errors import ApplicationError
from application.privacy.keys import NONCE_BYTES, DataKeyMissingError, DataKeys
from application.privacy.registry import ERASED

PERSONAL_TEXT = "personal_text"
PERSONAL_STATE = "personal_state"


class SnapshotErasedError(ApplicationError):
    """A snapshot sealed under an erased key: it cannot be used, the aggregate is replayed instead."""

    code = "snapshot_erased"


@dataclass(frozen=True)
class SealedText:
    data: str


@dataclass(frozen=True)
class SealedState:
    data: str


def seal(keys: DataKeys, subject_id: str, plain: bytes) -> str:
    key_id, cipher = keys.active_key(subject_id)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return f"{key_id}:{base64.b64encode(nonce + cipher.encrypt(nonce, plain, key_id.encode())).decode()}"


def open_sealed(keys: DataKeys, data: str) -> bytes | None:
    """The plain bytes, or None if the key was erased."""
    key_id, _, encoded = data.partition(":")
    cipher = keys.cipher(key_id)
    if cipher is None:
        return None
    raw = base64.b64decode(encoded)
    try:
        return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode())
    except InvalidTag:
        raise DataKeyMissingError(f"a field sealed under data key {key_id} does not open with it",
                                  key_id=key_id) from None


def open_text(keys: DataKeys, data: str) -> str:
    plain = open_sealed(keys, data)
    return ERASED if plain is None else plain.decode()


class PersonalTextAsSealed(Transcoding):
    type = SealedText
    name = PERSONAL_TEXT

    def __init__(self, keys: DataKeys) -> None:
        self.keys = keys

    def encode(self, obj: SealedText) -> str:
        return obj.data

    def decode(self, data: str) -> str:
        return open_text(self.keys, data)


class PersonalStateAsSealed(Transcoding):
    type = SealedState
    name = PERSONAL_STATE

    def __init__(self, keys: DataKeys, transcoder: Transcoder) -> None:
        self.keys = keys
        self.transcoder = transcoder

    def encode(self, obj: SealedState) -> str:
        return obj.data

    def decode(self, data: str) -> Any:
        plain = open_sealed(self.keys, data)
        if plain is None:
            raise SnapshotErasedError("the snapshot's person was erased: replay the events instead")
        return self.transcoder.decode(plain)


def register_personal_transcodings(transcoder: JSONTranscoder, keys: DataKeys) -> None:
    transcoder.register(PersonalTextAsSealed(keys))
    transcoder.register(PersonalStateAsSealed(keys, transcoder))

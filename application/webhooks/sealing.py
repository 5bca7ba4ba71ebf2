"""Webhook signing secrets sealed at rest with AES-256-GCM under a master key kept in a file (ADR 0018).

A sealed secret is "v1:" and the base64 of a 12-byte nonce and the ciphertext; the subscription's id is the
associated data, so a sealed secret copied onto another subscription's row does not open.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.store.settings import SettingsError, create_private_file

PREFIX = "v1:"
NONCE_BYTES = 12
KEY_BYTES = 32


class SecretUnreadableError(ValueError):
    """A sealed secret that the master key does not open (another key, or an altered row)."""


class SecretBox:
    """Seals and opens signing secrets with one master key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SettingsError(f"the webhook secrets master key must be {KEY_BYTES} bytes, not {len(key)}")
        self.aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: str) -> SecretBox:
        """The key in a file of 64 hex digits, created (mode 0600) on first use: the demo key under var/."""
        key_file = Path(path)
        if not key_file.exists():  # created private, never readable by others even for a moment (issue 23)
            create_private_file(key_file, (secrets.token_hex(KEY_BYTES) + "\n").encode())
        text = key_file.read_text().strip()
        try:
            return cls(bytes.fromhex(text))
        except ValueError:
            raise SettingsError(
                f"GOALENGINE_WEBHOOK_SECRETS_KEY_FILE {path!r} must hold {KEY_BYTES * 2} hex digits"
            ) from None

    def seal(self, secret: str, subscription_id: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self.aead.encrypt(nonce, secret.encode(), subscription_id.encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, sealed: str, subscription_id: str) -> str:
        if not is_sealed(sealed):
            raise SecretUnreadableError(f"the secret of subscription {subscription_id} is not sealed")
        raw = base64.b64decode(sealed.removeprefix(PREFIX))
        try:
            return self.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subscription_id.encode()).decode()
        except InvalidTag:
            raise SecretUnreadableError(
                f"the secret of subscription {subscription_id} does not open with this master key"
            ) from None


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)

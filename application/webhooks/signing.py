"""Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with a `whsec_` secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
KEY_BYTES = 32


def new_secret() -> str:
    """A fresh signing secret as receivers configure it: whsec_ and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret_key(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(keys: str | Sequence[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one delivery; a redelivery has the same webhook-id and a new timestamp and signature.

    During a secret rotation's overlap there is one signature per secret, space-separated, as Standard Webhooks
    allows: a receiver still on the old secret and one already on the new both verify.
    """
    secret_list = [keys] if isinstance(keys, str) else list(keys)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(key, message_id, timestamp, body) for key in secret_list),
        "content-type": "application/cloudevents+json; charset=utf-8",
    }

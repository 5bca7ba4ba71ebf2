"""The HMAC chain of stores written before ADR 0013: read only to verify such a store before `audit migrate`.

Every event's state carried `_chain`: an HMAC-SHA256 (the old audit key) over the previous link and a canonical
form of the event (goal id, version, topic, state). See ADR 0004.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from uuid import UUID

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



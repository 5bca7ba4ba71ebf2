"""The report's header and hash (ADR 0041): the position, the tree it was computed from and that tree's signed
checkpoint; `hash` is SHA-256 of the canonical JSON of everything else. Standard library only."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes the API serves and the hash covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def with_header(body: dict[str, Any], position: int, checkpoint: str) -> dict[str, Any]:
    """The body with its position, tree size, root hash (base64, as in the checkpoint) and checkpoint, then hashed."""
    lines = checkpoint.split("\n")
    size, root = int(lines[1]), base64.b64encode(base64.b64decode(lines[2])).decode()
    headed = {**body, "position": position, "tree_size": size, "root_hash": root, "checkpoint": checkpoint}
    return {**headed, "hash": hashlib.sha256(canonical_json(headed)).hexdigest()}

"""A witness (ADR 0040): an auditor's process with only the log's public key and its own Ed25519 key.

It fetches the log's checkpoint, holds it to the latest checkpoint it saw (kept on its own disk) with a consistency
proof from the log, and cosigns it (C2SP tlog-cosignature) only when it is consistent: never a smaller size, never
another root at a size it saw, never a tree that does not extend what it saw. The cosignature goes back to the log
(`POST /audit/cosignatures`), which serves it with its checkpoints.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from application.audit.cosignature import cosign
from application.audit.merkle import verify_consistency
from application.audit.note import Checkpoint, CheckpointError, verify_checkpoint

SEEN_FILE = "checkpoint"
TIMEOUT_S = 30


class WitnessRefusalError(Exception):
    """The log showed a checkpoint not consistent with what this witness saw: it is not cosigned."""


class LogUnreachableError(Exception):
    """The log did not answer as a log does (down, an error, or a malformed answer)."""


@dataclass(frozen=True)
class Witness:
    log_url: str
    log_keys: list[Ed25519PublicKey]
    key: Ed25519PrivateKey
    name: str
    state: Path
    now: Callable[[], float] = time.time

    def seen(self) -> Checkpoint | None:
        """The latest checkpoint this witness saw and cosigned (its own disk; None on its first run)."""
        try:
            note = (self.state / SEEN_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return verify_checkpoint(note, self.log_keys)

    def step(self) -> Checkpoint:
        """Fetch, check and cosign the log's checkpoint; WitnessRefusalError when it is not consistent."""
        note = self._get("/audit/checkpoint")
        try:
            checkpoint = verify_checkpoint(note, self.log_keys)
        except CheckpointError as error:
            raise WitnessRefusalError(f"the log's checkpoint does not verify with its public key: {error}") from None
        seen = self.seen()
        if seen is not None:
            self._require_consistent(seen, checkpoint)
        line = cosign(note, self.name, self.key, int(self.now()))
        self._post("/audit/cosignatures", note.rstrip("\n") + "\n" + line + "\n")
        self._remember(note)
        return checkpoint

    def _require_consistent(self, seen: Checkpoint, checkpoint: Checkpoint) -> None:
        shown = f"size {checkpoint.size} with root {b64(checkpoint.root)}"
        before = f"size {seen.size} with root {b64(seen.root)}"
        if checkpoint.origin != seen.origin:
            raise WitnessRefusalError(f"the log now calls itself {checkpoint.origin!r}, not {seen.origin!r}")
        if checkpoint.size < seen.size:
            raise WitnessRefusalError(f"ROLLED BACK: the log shows {shown}, smaller than the {before} it showed before")
        if checkpoint.size == seen.size:
            if checkpoint.root != seen.root:
                raise WitnessRefusalError(f"FORKED: the log shows {shown}, but it showed {before}")
            return
        body = json.loads(self._get(f"/audit/consistency?from={seen.size}&to={checkpoint.size}"))
        proof = [base64.b64decode(h) for h in body.get("proof", [])]
        if not verify_consistency(seen.size, checkpoint.size, seen.root, checkpoint.root, proof):
            raise WitnessRefusalError(f"FORKED: the log's {shown} does not extend the {before} it showed before "
                                 "(its consistency proof does not hold)")

    def _remember(self, note: str) -> None:
        for folder in reversed([self.state, *self.state.parents]):
            if not folder.exists():
                folder.mkdir(mode=0o700)
        temporary = self.state / f".{SEEN_FILE}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(note)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.state / SEEN_FILE)

    def _get(self, path: str) -> str:
        return self._call(urllib.request.Request(self.log_url.rstrip("/") + path))

    def _post(self, path: str, body: str) -> str:
        return self._call(urllib.request.Request(self.log_url.rstrip("/") + path, data=body.encode(), method="POST",
                                                 headers={"Content-Type": "text/plain; charset=utf-8"}))

    def _call(self, request: urllib.request.Request) -> str:
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return str(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:500]
            raise LogUnreachableError(f"{request.get_method()} {request.full_url} answered {error.code}: "
                                      f"{detail}") from None
        except (urllib.error.URLError, OSError, UnicodeDecodeError) as error:
            raise LogUnreachableError(f"{request.get_method()} {request.full_url} failed: {error}") from None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

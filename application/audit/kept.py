"""The latest signed checkpoint, kept outside the database (ADR 0039): what a rollback of the database cannot undo.

One folder per log under GOALENGINE_AUDIT_STATE_DIR (by default `audit-state/` beside the signing key), named for
the log's origin and store, holding `checkpoint` (the signed note, 0600). It only ever moves forward: a process
writes it under a file lock, and only a larger checkpoint replaces it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from application.audit.keys import AuditKeys
from application.audit.note import Checkpoint, CheckpointError, verify_checkpoint
from application.goals.service import Goals

CHECKPOINT_FILE = "checkpoint"


class KeptStateError(ValueError):
    """The kept checkpoint cannot be read or does not verify: the state folder was damaged."""


def log_folder(state_dir: str, origin: str, database_url: str) -> Path:
    """The folder of one log: its origin in readable form, and a hash of origin and store that keeps logs apart."""
    readable = re.sub(r"[^A-Za-z0-9.-]+", "_", origin)[:60]
    digest = hashlib.sha256(f"{origin}\n{database_url}".encode()).hexdigest()[:16]
    return Path(state_dir) / f"{readable}-{digest}"


def kept_checkpoint(goals: Goals) -> KeptCheckpoint | None:
    """Where this application's signer keeps its latest checkpoint (None when it signs nothing or keeps nothing)."""
    settings = goals.settings
    if settings.audit_state_dir is None or goals.audit_keys.signer is None:
        return None
    folder = log_folder(settings.audit_state_dir, goals.audit_keys.origin, settings.database_url)
    return KeptCheckpoint(folder, goals.audit_keys)


class KeptCheckpoint:
    """The largest checkpoint this log's signer has handed out, in a file of its own."""

    def __init__(self, folder: Path, keys: AuditKeys) -> None:
        self.folder = folder
        self.keys = keys

    @property
    def path(self) -> Path:
        return self.folder / CHECKPOINT_FILE

    def latest(self) -> Checkpoint | None:
        """The kept checkpoint (None before the first); KeptStateError when it is there but unusable."""
        try:
            note = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise KeptStateError(f"cannot read {self.path}: {error}") from None
        try:
            checkpoint = verify_checkpoint(note, list(self.keys.keyring.keys.values()))
        except CheckpointError as error:
            raise KeptStateError(f"{self.path}: {error}") from None
        if checkpoint.origin != self.keys.origin:
            raise KeptStateError(f"{self.path} is a checkpoint of {checkpoint.origin}, not of {self.keys.origin}")
        return checkpoint

    def keep(self, note: str, checkpoint: Checkpoint, *, replace: bool = False) -> None:
        """Keep the note if it is larger than the one kept (or always, for a migration by the key holder)."""
        with self._locked():
            try:
                current = self.latest()
            except KeptStateError:
                current = None if replace else Checkpoint("", -1, b"")
            if not replace and current is not None and current.size >= checkpoint.size:
                return
            temporary = self.folder / f".{CHECKPOINT_FILE}.{os.getpid()}"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(note)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        for folder in reversed([self.folder, *self.folder.parents]):
            if not folder.exists():
                folder.mkdir(mode=0o700)
        descriptor = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

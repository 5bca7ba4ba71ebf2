"""Checkpoints as C2SP signed notes (tlog-checkpoint over signed-note), signed with the audit key (ADR 0015).

    <origin>
    <tree size>
    <base64 root hash>

    — <key name> <base64(key hash || Ed25519 signature)>

The signature covers the body: the three lines and their newlines. The key name is the origin.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.keys import Signer, note_key_hash

SIGNATURE_PREFIX = "\u2014 "  # an em dash and a space


class CheckpointError(ValueError):
    """A checkpoint that is malformed, or whose signature no trusted key makes."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed note of a checkpoint."""
    body = checkpoint.body()
    key_hash = note_key_hash(checkpoint.origin, signer.public)
    signature = base64.b64encode(key_hash + signer.sign(body.encode())).decode()
    return f"{body}\n{SIGNATURE_PREFIX}{checkpoint.origin} {signature}\n"


def parse_checkpoint(note: str) -> tuple[Checkpoint, list[tuple[str, bytes, bytes]]]:
    """The checkpoint and its signature lines (name, key hash, signature); CheckpointError when malformed."""
    body, separator, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a tree size and a root hash, a blank line and signatures")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError(f"the tree size {size_text!r} is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise CheckpointError("the root hash is not base64") from None
    if len(root) != 32:
        raise CheckpointError("the root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root), _signature_lines(signatures)


def _signature_lines(text: str) -> list[tuple[str, bytes, bytes]]:
    found = []
    for line in text.split("\n"):
        if not line:
            continue
        if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
            raise CheckpointError(f"{line!r} is not a signature line")
        name, encoded = line[len(SIGNATURE_PREFIX):].split(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise CheckpointError(f"the signature of {name} is not base64") from None
        if len(raw) < 5:
            raise CheckpointError(f"the signature of {name} is too short")
        found.append((name, raw[:4], raw[4:]))
    if not found:
        raise CheckpointError("the checkpoint carries no signature")
    return found


def verify_checkpoint(note: str, keys: list[Ed25519PublicKey]) -> Checkpoint:
    """The checkpoint, if one of its signatures verifies with one of the keys (named by its origin)."""
    checkpoint, signatures = parse_checkpoint(note)
    body = note.partition("\n\n")[0] + "\n"
    for name, key_hash, signature in signatures:
        for key in keys:
            if note_key_hash(name, key) != key_hash:
                continue
            try:
                key.verify(signature, body.encode())
            except InvalidSignature:
                continue
            return checkpoint
    raise CheckpointError("no signature on the checkpoint verifies with the given public key(s)")

"""Witness cosignatures in the C2SP tlog-cosignature format (cosignature/v1, Ed25519), pure functions (ADR 0040).

A cosignature is one more signature line on a checkpoint note:

    — <witness name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)

with key ID = SHA-256(<name> || "\\n" || 0x04 || 32-byte public key)[:4], over the message

    cosignature/v1
    time <timestamp>
    <the checkpoint's body: origin, size, root hash, each with its newline>

It states that, at that time, this was the largest checkpoint consistent with everything the witness had seen.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from application.audit.keys import raw_public
from application.audit.note import SIGNATURE_PREFIX

COSIGNATURE_ALGORITHM = b"\x04"


@dataclass(frozen=True)
class Cosignature:
    """A cosignature line that verified: who made it (by key), when, and the line itself."""

    name: str
    key_id: str
    timestamp: int
    line: str


def cosigner_key_id(name: str, key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE_ALGORITHM + raw_public(key)).digest()[:4]


def signed_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def note_body(note: str) -> str:
    """The checkpoint's body (the lines before the blank line), with its final newline."""
    return note.partition("\n\n")[0] + "\n"


def cosign(note: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """The cosignature line of a checkpoint note."""
    signature = key.sign(signed_message(note_body(note), timestamp))
    blob = cosigner_key_id(name, key.public_key()) + struct.pack(">Q", timestamp) + signature
    return f"{SIGNATURE_PREFIX}{name} {base64.b64encode(blob).decode()}"


def cosignatures(note: str, keys: list[Ed25519PublicKey]) -> list[Cosignature]:
    """The note's cosignature lines that verify with one of the witness keys, one per key."""
    body, found, seen = note_body(note), [], set()
    for line in note.partition("\n\n")[2].split("\n"):
        parsed = _parse(line)
        if parsed is None:
            continue
        name, key_hash, timestamp, signature = parsed
        for key in keys:
            key_id = cosigner_key_id(name, key)
            if key_id != key_hash or key_id in seen:
                continue
            try:
                key.verify(signature, signed_message(body, timestamp))
            except InvalidSignature:
                continue
            seen.add(key_id)
            found.append(Cosignature(name, key_id.hex(), timestamp, line))
    return found


def _parse(line: str) -> tuple[str, bytes, int, bytes] | None:
    if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
        return None
    name, encoded = line[len(SIGNATURE_PREFIX):].split(" ")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return None
    if len(blob) != 4 + 8 + 64:
        return None
    timestamp = struct.unpack(">Q", blob[4:12])[0]
    return (name, blob[:4], timestamp, blob[12:]) if timestamp < 2**63 else None


def with_lines(note: str, lines: list[str]) -> str:
    """The note with more signature lines (those it already carries are not repeated)."""
    present = set(note.rstrip("\n").split("\n"))
    extra = [line for line in lines if line not in present]
    return note.rstrip("\n") + "\n" + "".join(f"{line}\n" for line in extra)

"""What is signed and what is hashed into the tree, byte for byte (ADR 0014). Pure functions: any verifier can copy
them.

A stored goal event's state is the library's JSON with one last member, `"_sig":"<key id>:<base64 signature>"`.
Cutting that fixed-length suffix off gives back the exact unsigned state; the signature covers

    "goalengine/event/v1\\n" <goal id> "\\n" <version> "\\n" <topic> "\\n"
    <previous signature field> "\\n" <unsigned state>

where the previous signature field is that of the goal's previous version ("" for version 1): the per-goal chain.
A snapshot is signed the same way under "goalengine/snapshot/v1", chained to the event it stands at.
The tree's leaf input is the stored row as it is: <goal id> "\\n" <version> "\\n" <topic> "\\n" <stored state>.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from uuid import UUID

GENESIS = ""  # the previous signature of an aggregate's first event: there is none


EVENT_DOMAIN = b"goalengine/event/v1\n"
SNAPSHOT_DOMAIN = b"goalengine/snapshot/v1\n"
SIG_OPEN = b',"_sig":"'
SIG_CLOSE = b'"}'
FIELD_LENGTH = 8 + 1 + 88  # key id, a colon, base64 of 64 bytes
SUFFIX_LENGTH = len(SIG_OPEN) + FIELD_LENGTH + len(SIG_CLOSE)
SIG_KEY = "_sig"


@dataclass(frozen=True)
class Sealed:
    """A stored state split into what was signed, which key signed it and the signature."""

    unsigned: bytes
    field: str
    key_id: str
    signature: bytes


def header(goal_id: UUID | str, version: int, topic: str) -> bytes:
    return f"{goal_id_text(goal_id)}\n{version}\n{topic}\n".encode()


def goal_id_text(goal_id: UUID | str) -> str:
    return str(goal_id if isinstance(goal_id, UUID) else UUID(str(goal_id)))


def leaf_input(goal_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
    return header(goal_id, version, topic) + bytes(state)


def message(domain: bytes, goal_id: UUID | str, version: int, topic: str, previous: str, unsigned: bytes) -> bytes:
    return domain + header(goal_id, version, topic) + previous.encode() + b"\n" + unsigned


def seal(unsigned: bytes, key_id: str, signature: bytes) -> bytes:
    """The stored state: the unsigned JSON object with the signature as its last member."""
    if len(unsigned) < 3 or not unsigned.startswith(b"{") or not unsigned.endswith(b"}"):
        raise ValueError("only a non-empty JSON object can carry a signature")
    field = f"{key_id}:{base64.b64encode(signature).decode()}"
    return unsigned[:-1] + SIG_OPEN + field.encode() + SIG_CLOSE


def unseal(state: bytes) -> Sealed | None:
    """The parts of a signed state, or None when it carries no well-formed signature."""
    state = bytes(state)
    if len(state) <= SUFFIX_LENGTH + 1 or not state.endswith(SIG_CLOSE):
        return None
    if state[-SUFFIX_LENGTH:-SUFFIX_LENGTH + len(SIG_OPEN)] != SIG_OPEN:
        return None
    try:
        field = state[-FIELD_LENGTH - len(SIG_CLOSE):-len(SIG_CLOSE)].decode("ascii")
        kid, encoded = field.split(":")
        signature = base64.b64decode(encoded, validate=True)
    except (UnicodeDecodeError, ValueError, binascii.Error):
        return None
    if len(kid) != 8 or len(signature) != 64:
        return None
    if base64.b64encode(signature).decode() != encoded:
        return None  # base64 ignores the unused bits of its last digit: only the one spelling of a signature counts
    return Sealed(state[:-SUFFIX_LENGTH] + b"}", field, kid, signature)


def checked_field(state: bytes) -> str:
    """The signature field of a state already known to be well-formed (its signature or read seal held)."""
    return state[-FIELD_LENGTH - len(SIG_CLOSE):-len(SIG_CLOSE)].decode("ascii")

"""Signatures and checkpoints as bytes: what is signed is exactly what is stored, and no changed byte still verifies."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from application.audit.keys import Keyring
from application.audit.leaf import EVENT_DOMAIN, SUFFIX_LENGTH, message, seal, unseal
from application.audit.note import Checkpoint, CheckpointError, sign_checkpoint, verify_checkpoint
from tests.conftest import SIGNER

GOAL = UUID("12345678-1234-5678-1234-567812345678")
KEYRING = Keyring([SIGNER.public])
states = st.dictionaries(st.text(min_size=1, max_size=8), st.one_of(st.integers(), st.text(max_size=20)),
                         min_size=1, max_size=5).map(lambda d: json.dumps(d, ensure_ascii=False).encode())


def signed(unsigned: bytes, previous: str = "") -> bytes:
    return seal(unsigned, SIGNER.key_id, SIGNER.sign(message(EVENT_DOMAIN, GOAL, 2, "t:T", previous, unsigned)))


def holds(stored: bytes, previous: str = "") -> bool:
    sealed = unseal(stored)
    return sealed is not None and KEYRING.verify(
        sealed.key_id, sealed.signature, message(EVENT_DOMAIN, GOAL, 2, "t:T", previous, sealed.unsigned))


@given(states)
def test_a_sealed_state_is_json_and_unseals_to_the_exact_unsigned_bytes(unsigned: bytes) -> None:
    stored = signed(unsigned)
    assert json.loads(stored)["_sig"].startswith(SIGNER.key_id + ":")
    assert {k: v for k, v in json.loads(stored).items() if k != "_sig"} == json.loads(unsigned)
    sealed = unseal(stored)
    assert sealed is not None and sealed.unsigned == unsigned and len(stored) == len(unsigned) + SUFFIX_LENGTH - 1
    assert holds(stored)


@given(states, st.data())
def test_no_changed_byte_of_a_stored_state_still_verifies(unsigned: bytes, data: st.DataObject) -> None:
    stored = bytearray(signed(unsigned))
    index = data.draw(st.integers(0, len(stored) - 1))
    stored[index] ^= data.draw(st.integers(1, 255))
    assert not holds(bytes(stored))


@given(states)
def test_the_chain_position_is_part_of_what_is_signed(unsigned: bytes) -> None:
    assert not holds(signed(unsigned, previous="0a1b2c3d:x"), previous="")


def test_a_checkpoint_verifies_only_unchanged_and_with_its_key() -> None:
    note = sign_checkpoint(Checkpoint("example.com/log", 7, bytes(range(32))), SIGNER)
    assert verify_checkpoint(note, [SIGNER.public]) == Checkpoint("example.com/log", 7, bytes(range(32)))
    for bad in (note.replace("\n7\n", "\n8\n"), note.replace("example.com/log\n", "example.com/other\n", 1),
                note.split("\n\n")[0] + "\n\n"):
        with pytest.raises(CheckpointError):
            verify_checkpoint(bad, [SIGNER.public])
    with pytest.raises(CheckpointError, match="no signature on the checkpoint verifies"):
        verify_checkpoint(note, [Ed25519PrivateKey.generate().public_key()])


@pytest.mark.parametrize("text", ["", "origin\n7\n", "origin\nseven\nAAAA\n\n\u2014 origin AAAA\n",
                                  "origin\n7\nnot base64!\n\n\u2014 origin AAAAAAAA\n"])
def test_a_malformed_checkpoint_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(CheckpointError):
        verify_checkpoint(text, [SIGNER.public])

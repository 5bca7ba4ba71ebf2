"""POST /audit/cosignatures (ADR 0040): the server takes C2SP tlog-cosignatures only from the witness keys it is
configured with, only on checkpoints it signed, and serves its checkpoints with them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from api.app import create_app
from application.audit.cosignature import cosign, cosignatures
from application.audit.keys import generate_pair, public_pem
from application.audit.note import Checkpoint, parse_checkpoint, sign_checkpoint
from application.goals.service import Goals
from application.store.settings import Settings
from tests.conftest import Clock
from tests.scenarios import agreed, customer_service_terms, ensure_cycles

WITNESS = Ed25519PrivateKey.generate()
STRANGER = Ed25519PrivateKey.generate()


@pytest.fixture
def client(api_settings: Settings, clock: Clock, tmp_path: Path) -> Iterator[TestClient]:
    settings = replace(api_settings, audit_witness_keys=(public_pem(WITNESS.public_key()),),
                       audit_state_dir=str(tmp_path / "state"))
    goals = Goals(settings, today=clock)
    ensure_cycles(goals)
    agreed(goals, customer_service_terms())
    with TestClient(create_app(settings, goals)) as test_client:
        yield test_client
    goals.close()


def cosigned(note: str, key: Ed25519PrivateKey, name: str = "witness.example/w1") -> str:
    return note.rstrip("\n") + "\n" + cosign(note, name, key, 1_796_000_000) + "\n"


def test_a_known_witness_cosignature_is_kept_and_served_with_the_checkpoint(client: TestClient) -> None:
    note = client.get("/audit/checkpoint").text
    taken = client.post("/audit/cosignatures", content=cosigned(note, WITNESS))
    assert taken.status_code == 201, taken.text
    served = client.get("/audit/checkpoint").text
    assert [c.name for c in cosignatures(served, [WITNESS.public_key()])] == ["witness.example/w1"]


def test_a_cosignature_by_an_unknown_key_is_refused(client: TestClient) -> None:
    note = client.get("/audit/checkpoint").text
    refused = client.post("/audit/cosignatures", content=cosigned(note, STRANGER))
    assert (refused.status_code, refused.json()["code"]) == (422, "cosignature_refused")
    assert cosignatures(client.get("/audit/checkpoint").text, [STRANGER.public_key()]) == []


def test_a_cosigned_checkpoint_the_log_did_not_sign_is_refused(client: TestClient, tmp_path: Path) -> None:
    other = generate_pair(tmp_path / "other-log")
    note = client.get("/audit/checkpoint").text
    body, _, _ = note.partition("\n\n")
    checkpoint = parse_checkpoint(note)[0]
    forged = sign_checkpoint(Checkpoint(checkpoint.origin, checkpoint.size, bytes(32)), other)
    for bad in (cosigned(forged, WITNESS), "not a note at all", body + "\n"):
        refused = client.post("/audit/cosignatures", content=bad)
        assert (refused.status_code, refused.json()["code"]) == (422, "cosignature_refused"), refused.text

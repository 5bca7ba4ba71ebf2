"""GET /audit/checkpoint, /audit/proof and /audit/consistency, checked with code written here from the specs.

The checkpoint's signature is verified as C2SP signed-note defines it (key hash over name, 0x01 and the key;
Ed25519 over the note body), and the proofs are walked with RFC 9162's verification algorithms written out below,
not with the product's verifier.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor
from tests.application import tampering
from tests.conftest import SIGNER
from tests.scenarios import AUDITOR, EMPLOYEE, HR, MANAGER, agreed, customer_service_terms, survey_terms

Auth = Callable[[Actor], dict[str, str]]
PUBLIC: Ed25519PublicKey = SIGNER.public


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def checked_note(note: str) -> tuple[str, int, bytes]:
    """Origin, size and root of a signed note whose Ed25519 signature verifies with the test's public key."""
    body, _, signatures = note.partition("\n\n")
    origin, size, root = body.split("\n")
    line = signatures.strip("\n")
    assert line.startswith("\u2014 ")
    name, encoded = line[2:].split(" ")
    raw = base64.b64decode(encoded)
    key = PUBLIC.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert name == origin
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x01" + key).digest()[:4]
    PUBLIC.verify(raw[4:], (body + "\n").encode())  # raises InvalidSignature otherwise
    return origin, int(size), base64.b64decode(root)


def root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 2.1.3.2, step by step."""
    assert index < size
    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn != 0
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            r = node(r, p)
        fn, sn = fn // 2, sn // 2
    assert sn == 0
    return r


def consistent(first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2, step by step (first < second, first > 0)."""
    path = list(path)
    if first & (first - 1) == 0:
        path = [first_root, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn // 2, sn // 2
        else:
            sr = node(sr, c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == first_root and sr == second_root


@pytest.fixture
def goals(app: FastAPI) -> Goals:
    app_goals: Goals = app.state.goals
    return app_goals


@pytest.fixture
def goal(goals: Goals) -> UUID:
    goal_id = agreed(goals, customer_service_terms())
    for day in (10, 11, 12):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    agreed(goals, survey_terms())
    return goal_id  # after the test cycles' 3: 7 events of this goal, then 4 of another: 14 in all


@pytest.mark.parametrize("reader", [AUDITOR, HR], ids=["auditor", "hr"])
def test_the_checkpoint_is_a_signed_note_over_every_event(
    client: TestClient, auth: Auth, goal: UUID, reader: Actor
) -> None:
    response = client.get("/audit/checkpoint", headers=auth(reader))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    origin, size, root = checked_note(response.text)
    assert (origin, size) == ("goalengine/audit-log", 14)
    verified = client.get("/audit/verify", headers=auth(reader)).json()
    assert (verified["tree_size"], base64.b64decode(verified["root_hash"])) == (14, root)


def test_an_inclusion_proof_leads_from_the_event_to_the_signed_root(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    body = client.get("/audit/proof", params={"event": f"{goal}:5"}, headers=auth(AUDITOR)).json()
    leaf_input = base64.b64decode(body["leaf_input"])
    stored = tampering.stored_bytes(goals, goal, 5)
    assert leaf_input == f"{goal}\n5\ngoalengine:Goal.KpiRecorded\n".encode() + stored
    leaf = hashlib.sha256(b"\x00" + leaf_input).digest()
    assert base64.b64decode(body["leaf_hash"]) == leaf
    _, size, root = checked_note(body["checkpoint"])
    assert (body["event"], body["leaf_index"], body["tree_size"], size) == (f"{goal}:5", 7, 14, 14)
    assert root_from_path(7, 14, leaf, [base64.b64decode(h) for h in body["inclusion"]]) == root


def test_a_proof_in_an_earlier_tree_and_the_consistency_between_two_checkpoints(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    _, size, root = checked_note(client.get("/audit/checkpoint", headers=auth(AUDITOR)).text)
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(20), observed_at=date(2026, 1, 13))
    earlier = client.get("/audit/proof", params={"event": f"{goal}:6", "tree_size": 14}, headers=auth(AUDITOR)).json()
    assert checked_note(earlier["checkpoint"]) == (checked_note(earlier["checkpoint"])[0], 14, root)
    leaf = base64.b64decode(earlier["leaf_hash"])
    assert size == 14 and root_from_path(8, 14, leaf, [base64.b64decode(h) for h in earlier["inclusion"]]) == root
    _, later_size, later_root = checked_note(client.get("/audit/checkpoint", headers=auth(AUDITOR)).text)
    body = client.get("/audit/consistency", params={"from": 14, "to": later_size}, headers=auth(AUDITOR)).json()
    assert (body["from"], body["to"], later_size) == (14, 15, 15)
    assert consistent(14, 15, root, later_root, [base64.b64decode(h) for h in body["proof"]])


def test_an_older_size_answers_only_the_checkpoint_signed_then(client: TestClient, auth: Auth, goal: UUID) -> None:
    signed = client.get("/audit/checkpoint", headers=auth(AUDITOR)).text
    for params in ({"event": f"{goal}:1", "tree_size": 9}, {"event": f"{goal}:1", "tree_size": 14}):
        response = client.get("/audit/proof", params=params, headers=auth(AUDITOR))
        if params["tree_size"] == 14:
            assert response.json()["checkpoint"] == signed
        else:
            assert (response.status_code, response.json()["code"]) == (422, "checkpoint_not_signed")
    response = client.get("/audit/consistency", params={"from": 9, "to": 14}, headers=auth(AUDITOR))
    assert (response.status_code, response.json()["code"]) == (422, "checkpoint_not_signed")


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"event": "00000000-0000-0000-0000-000000000000:1"}, 404, "event_not_found"),
    ({"event": "not-an-event"}, 422, "invalid_request"),
    ({"event": "{goal}:1", "tree_size": 99}, 422, "tree_size_out_of_range"),
    ({"event": "{goal}:7", "tree_size": 3}, 422, "tree_size_out_of_range"),
], ids=["unknown-event", "malformed", "size-beyond-log", "size-before-event"])
def test_a_proof_that_cannot_be_given_is_a_clear_problem(
    client: TestClient, auth: Auth, goal: UUID, params: dict[str, object], status: int, code: str
) -> None:
    query = {k: str(v).format(goal=goal) for k, v in params.items()}
    response = client.get("/audit/proof", params=query, headers=auth(AUDITOR))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.headers["content-type"] == "application/problem+json"


def test_consistency_sizes_out_of_order_or_beyond_the_log_are_refused(
    client: TestClient, auth: Auth, goal: UUID
) -> None:
    for params in ({"from": 5, "to": 3}, {"from": 1, "to": 99}):
        response = client.get("/audit/consistency", params=params, headers=auth(AUDITOR))
        assert (response.status_code, response.json()["code"]) == (422, "tree_size_out_of_range")


def test_the_server_signs_no_checkpoint_over_an_event_it_did_not_sign(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    assert client.get("/audit/checkpoint", headers=auth(AUDITOR)).status_code == 200
    state = tampering.forged_state(goals, goal, 7, value={"_type_": "decimal_str", "_data_": "30"})
    tampering.append_row(goals, goal, 8, "goalengine:Goal.KpiRecorded", state)
    response = client.get("/audit/checkpoint", headers=auth(AUDITOR))
    assert (response.status_code, response.json()["code"], response.json()["kind"]) == (
        409, "tamper_detected", "forged",
    )


@pytest.mark.parametrize("caller", [EMPLOYEE, MANAGER], ids=["employee", "manager"])
def test_nobody_else_gets_proofs(client: TestClient, auth: Auth, goal: UUID, caller: Actor) -> None:
    assert client.get("/audit/proof", params={"event": f"{goal}:1"}, headers=auth(caller)).status_code == 403


def test_checkpoints_and_consistency_proofs_answer_without_a_token(client: TestClient, goal: UUID) -> None:
    """They reveal sizes and hashes only, so a witness needs no account (issue 23, item 3)."""
    note = client.get("/audit/checkpoint").text
    assert checked_note(note)[1] == 14
    assert client.get("/audit/consistency", params={"from": 0, "to": 14}).status_code == 200


def test_a_proof_of_an_event_altered_after_it_entered_the_tree_is_refused(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    assert client.get("/audit/checkpoint", headers=auth(AUDITOR)).status_code == 200
    tampering.change_value(goals, goal, 5, "value", {"_type_": "decimal_str", "_data_": "99"})
    response = client.get("/audit/proof", params={"event": f"{goal}:5"}, headers=auth(AUDITOR))
    body = response.json()
    assert (response.status_code, body["code"], body["kind"], body["version"]) == (409, "tamper_detected", "changed", 5)

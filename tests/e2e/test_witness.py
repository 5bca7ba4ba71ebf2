"""`goalengine witness` against a real `goalengine serve` (issue 23, item 3; ADR 0040): it cosigns a log that stays
consistent, the server serves its cosignature, `goalengine verify` and the standalone verifier require it, and
against a rolled-back or forked log the witness refuses, says why and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
import pytest
from sqlalchemy import text

from application.audit.cosignature import cosignatures
from application.audit.keys import generate_pair, load_public_keys
from application.goals.service import Goals
from tests.application import tampering
from tests.conftest import PUBLIC_KEY_FILE, Clock, store_settings
from tests.e2e.test_http_lifecycle import GOALENGINE, launched, serving
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, ensure_cycles

pytestmark = pytest.mark.e2e
VERIFIER = Path(__file__).resolve().parents[2] / "docs" / "audit" / "verify_bundle.py"
DERIVED = ("audit_checkpoints", "audit_frontiers", "audit_tree_leaves", "audit_tree_nodes", "audit_cosignatures")


def goalengine(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(GOALENGINE), *args], env=dict(os.environ), capture_output=True, text=True, timeout=120)


def unwatched(store_url: str, clock: Clock) -> Goals:
    """The application as a writer without the server's state folder: someone with database access."""
    return Goals(store_settings(database_url=store_url, audit_state_dir=None), today=clock)


def record(store_url: str, clock: Clock, goal: UUID, *days: int) -> None:
    goals = unwatched(store_url, clock)
    try:
        for day in days:
            goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    finally:
        goals.close()


def roll_back(store_url: str, clock: Clock, goal: UUID, *versions: int) -> None:
    """Delete the goal's last events and every table derived from them (the server then signs the shorter log)."""
    goals = unwatched(store_url, clock)
    try:
        for version in versions:
            tampering.delete_event(goals, goal, version)
        with goals.engine.begin() as connection:
            for table in DERIVED:
                connection.execute(text(f"DELETE FROM {table}"))
    finally:
        goals.close()


def test_a_witness_cosigns_a_consistent_log_and_refuses_a_rolled_back_or_forked_one(
    store_url: str, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_pair(tmp_path / "witness")
    generate_pair(tmp_path / "stranger")
    witness_pub, witness_key = tmp_path / "witness/audit-signing.pub", tmp_path / "witness/audit-signing.key"
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.setenv("GOALENGINE_AUDIT_WITNESS_KEYS", str(witness_pub))
    monkeypatch.setenv("GOALENGINE_AUDIT_STATE_DIR", str(tmp_path / "server-state"))
    goals = unwatched(store_url, clock)
    ensure_cycles(goals)
    goal = agreed(goals, customer_service_terms())
    goals.close()
    witness = ("witness", "--log", "", "--log-key", PUBLIC_KEY_FILE, "--key", str(witness_key),
               "--state", str(tmp_path / "witness-state"), "--once")
    with serving(launched(tmp_path, store_url)) as server:
        run = (*witness[:2], server.url, *witness[3:])
        first = goalengine(*run)
        assert first.returncode == 0 and "cosigned" in first.stdout, first.stdout + first.stderr
        record(store_url, clock, goal, 5, 6)
        second = goalengine(*run)
        assert second.returncode == 0 and "at size 9" in second.stdout, second.stdout + second.stderr
        note = httpx.get(f"{server.url}/audit/checkpoint", timeout=30).text
        assert len(cosignatures(note, load(witness_pub))) == 1
        assert goalengine("verify", "--witness-key", str(witness_pub), "--min-witnesses", "1").returncode == 0
        stranger = goalengine("verify", "--witness-key", str(tmp_path / "stranger/audit-signing.pub"))
        assert stranger.returncode == 1 and "NOT WITNESSED" in stranger.stdout
        assert goalengine("audit", "export", str(goal), "--out", str(tmp_path / "b.json")).returncode == 0
        assert standalone(tmp_path / "b.json", witness_pub).returncode == 0
        assert standalone(tmp_path / "b.json", tmp_path / "stranger/audit-signing.pub").returncode == 1
    roll_back(store_url, clock, goal, 6, 5)
    monkeypatch.setenv("GOALENGINE_AUDIT_STATE_DIR", str(tmp_path / "fresh-server-state"))
    with serving(launched(tmp_path, store_url)) as server:
        refused = goalengine(*(*witness[:2], server.url, *witness[3:]))
        assert refused.returncode == 1 and "ROLLED BACK" in refused.stdout, refused.stdout + refused.stderr
        record(store_url, clock, goal, 7, 8)  # as many events as were removed: the same size, another history
        forked = goalengine(*(*witness[:2], server.url, *witness[3:]))
        assert forked.returncode == 1 and "FORKED" in forked.stdout, forked.stdout + forked.stderr


def load(path: Path) -> list[Ed25519PublicKey]:
    return load_public_keys(path.read_bytes())


def standalone(bundle: Path, witness: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", str(VERIFIER), str(bundle), "--public-key", PUBLIC_KEY_FILE,
                           "--witness-key", str(witness), "--min-witnesses", "1"], capture_output=True, text=True,
                          timeout=60)

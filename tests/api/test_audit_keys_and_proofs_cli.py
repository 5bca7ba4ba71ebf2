"""keys, checkpoint, verify, audit export and audit migrate, run as `goalengine ...` against the test store."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import logging
import os
import stat
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import inspect

from api.cli import main
from application.audit.leaf import GENESIS
from application.audit.hmac_chain import CHAIN_FIELD, link
from application.audit.keys import Signer, generate_pair
from application.audit.leaf import EVENT_DOMAIN, message, seal, unseal
from application.goals.service import Goals
from domain.cycle import cycle_uuid
from tests.application import tampering
from tests.conftest import Clock, PUBLIC_KEY_FILE, store_settings
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, survey_terms

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "docs" / "audit" / "verify_bundle.py"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, store_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.setenv("GOALENGINE_SECRET", "cli-secret-of-at-least-32-bytes-long!")
    monkeypatch.chdir(tmp_path)  # anything created by mistake would land here, where the tests look for it


@pytest.fixture
def goal(goals: Goals) -> UUID:
    goal_id = agreed(goals, customer_service_terms())
    for day in (10, 11):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=date(2026, 1, day))
    agreed(goals, survey_terms())
    return goal_id  # after the test cycles' 3 events: 6 events, then 4 of another goal


def only_public_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE", raising=False)
    monkeypatch.setenv("GOALENGINE_AUDIT_PUBLIC_KEY_FILE", PUBLIC_KEY_FILE)


def test_keys_generate_writes_a_private_and_a_public_pem_and_prints_the_verifier_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "generate", "--out", "audit-keys", "--name", "hr.example.com/goals"]) == 0
    private_file, public_file = tmp_path / "audit-keys/audit-signing.key", tmp_path / "audit-keys/audit-signing.pub"
    assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
    private = serialization.load_pem_private_key(private_file.read_bytes(), password=None)
    public = serialization.load_pem_public_key(public_file.read_bytes())
    assert isinstance(private, Ed25519PrivateKey) and isinstance(public, Ed25519PublicKey)
    assert private_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_hash = hashlib.sha256(b"hr.example.com/goals\n\x01" + raw).digest()[:4].hex()
    encoded = base64.b64encode(b"\x01" + raw).decode()
    expected = f"hr.example.com/goals+{key_hash}+{encoded}"
    assert f"verifier key: {expected}" in capsys.readouterr().out
    assert main(["keys", "generate", "--out", "audit-keys"]) == 2, "an existing key is never overwritten silently"


def table_names(goals: Goals) -> set[str]:
    return set(inspect(goals.engine).get_table_names())


def test_verify_with_only_the_public_key_reports_count_tree_size_and_root(
    goals: Goals, goal: UUID, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_public_key(monkeypatch)
    tables = table_names(goals)
    assert main(["verify", "--snapshots"]) == 0
    assert table_names(goals) == tables, "verifying creates no table"
    out = capsys.readouterr().out
    assert "intact: 13 events up to position 13" in out and "tree size: 13" in out
    assert len(base64.b64decode(out.split("root hash: ")[1].split()[0])) == 32
    monkeypatch.delenv("GOALENGINE_AUDIT_PUBLIC_KEY_FILE")
    assert main(["verify", "--public-key", PUBLIC_KEY_FILE]) == 0


def test_verify_without_a_public_key_or_a_store_exits_2_and_creates_nothing(
    goal: UUID, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    assert main(["verify"]) == 2
    assert "GOALENGINE_AUDIT_PUBLIC_KEY_FILE" in capsys.readouterr().out
    only_public_key(monkeypatch)
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", f"sqlite:///{tmp_path}/nowhere/goals.db")
    assert main(["verify"]) == 2
    out = capsys.readouterr().out
    assert "no store" in out and "GOALENGINE_DATABASE_URL" in out
    monkeypatch.delenv("GOALENGINE_DATABASE_URL")
    assert main(["verify"]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no var/, no key, no secret, no database"


@pytest.mark.parametrize("deleted", ["last-event", "whole-goal"])
def test_a_kept_checkpoint_catches_deletions_the_chains_cannot_see(
    goals: Goals, goal: UUID, deleted: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint", "--out", "kept.checkpoint"]) == 0
    other = UUID(str(goals.recorder.select_notifications(10, 1)[0].originator_id))
    if deleted == "last-event":
        tampering.delete_event(goals, other, 4)
    else:
        for version in (1, 2, 3, 4):
            tampering.delete_event(goals, other, version)
    only_public_key(monkeypatch)
    capsys.readouterr()
    assert main(["verify"]) == 0, "every remaining chain holds"
    assert main(["verify", "--checkpoint", "kept.checkpoint"]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED (checkpoint_mismatch)" in out and "no longer contains the checkpoint of size 13" in out


def test_a_checkpoint_the_log_still_extends_verifies_after_more_events(
    goals: Goals, goal: UUID, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checkpoint", "--out", "kept.checkpoint"]) == 0
    goals.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(30), observed_at=date(2026, 1, 14))
    only_public_key(monkeypatch)
    assert main(["verify", "--checkpoint", "kept.checkpoint"]) == 0
    assert "checkpoint of size 13 (goalengine/audit-log): contained in the log" in capsys.readouterr().out


def resign_everything(goals: Goals, signer: Signer) -> None:
    """What someone with the database but another key could do: re-sign every chain with their own key."""
    heads: dict[str, str] = {}
    for row in goals.recorder.select_notifications(0, 1000):
        sealed = unseal(row.state)
        assert sealed is not None
        previous = heads.get(str(row.originator_id), GENESIS)
        signed = message(EVENT_DOMAIN, row.originator_id, row.originator_version, row.topic, previous, sealed.unsigned)
        state = seal(sealed.unsigned, signer.key_id, signer.sign(signed))
        heads[str(row.originator_id)] = str(getattr(unseal(state), "field", ""))
        tampering.write_state(goals, UUID(str(row.originator_id)), row.originator_version, state)


def test_a_chain_re_signed_with_a_fresh_key_is_forged_for_the_real_public_key(
    goals: Goals, goal: UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    resign_everything(goals, generate_pair(tmp_path / "attacker"))
    only_public_key(monkeypatch)
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    first = f"TAMPERED (forged) at position 1: goal {cycle_uuid('2026-H1')}, version 1"  # the H1 cycle's opening
    assert first in out and "not a trusted public key" in out


def test_an_event_inserted_without_the_key_is_forged(
    goals: Goals, goal: UUID, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tampering.forged_state(goals, goal, 6, value={"_type_": "decimal_str", "_data_": "40"})
    tampering.append_row(goals, goal, 7, "goalengine:Goal.KpiRecorded", state)
    only_public_key(monkeypatch)
    assert main(["verify"]) == 1
    assert f"TAMPERED (forged) at position 14: goal {goal}, version 7" in capsys.readouterr().out


def test_after_rotation_old_events_verify_with_the_old_public_key_and_new_ones_with_the_new(
    goals: Goals, goal: UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_url: str,
    capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    generate_pair(keys)
    monkeypatch.setenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE", str(keys / "audit-signing.key"))
    # Reads check what they serve (issue 23): a server verifies the events it loads with every key that signed them.
    fresh = Goals(store_settings(database_url=store_url, audit_signing_key=(keys / "audit-signing.key").read_bytes(),
                                 audit_public_keys=(Path(PUBLIC_KEY_FILE).read_bytes(),)), today=goals.today)
    try:
        fresh.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(21), observed_at=date(2026, 1, 12))
        first = (keys / "audit-signing.pub").read_bytes()
        assert main(["keys", "rotate"]) == 0
        assert (keys / "audit-signing.pub").read_bytes() != first
        rotated = Goals(store_settings(
            database_url=store_url, audit_signing_key=(keys / "audit-signing.key").read_bytes(),
            audit_public_keys=(Path(PUBLIC_KEY_FILE).read_bytes(), (keys / "audit-keyring.pub").read_bytes())),
            today=goals.today)
        rotated.record_kpi(goal, EMPLOYEE, kpi="tickets", value=Decimal(22), observed_at=date(2026, 1, 13))
        rotated.close()
    finally:
        fresh.close()
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    capsys.readouterr()
    assert main(["verify", "--public-key", str(keys / "audit-signing.pub")]) == 1, "the new key alone is not enough"
    retired = next(keys.glob("audit-signing-*.pub"))
    assert main(["verify", "--public-key", str(keys / "audit-signing.pub"), "--public-key", str(retired),
                 "--public-key", PUBLIC_KEY_FILE]) == 0
    assert main(["verify", "--public-key", str(keys / "audit-keyring.pub"), "--public-key", PUBLIC_KEY_FILE]) == 0


def test_a_changed_snapshot_is_ignored_on_load_and_reported_by_verify_snapshots(
    store_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str]
) -> None:
    writer = Goals(store_settings(database_url=store_url, snapshot_interval=3), today=clock)
    goal_id = agreed(writer, customer_service_terms())
    writer.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 10))
    [snapshot] = writer.snapshots.recorder.select_events(goal_id)  # type: ignore[union-attr]
    writer.close()
    # The goal's state inside is sealed (ADR 0026): a forger can only add or change members around it.
    forged = snapshot.state.replace(b'"topic":"goalengine:Goal"', b'"topic":"goalengine:Goal","owner_id":"emp-9"')
    assert forged != snapshot.state
    table = "stored_snapshots" if "sqlite" in store_url else "goalengine_snapshots"
    untouched = Goals(store_settings(database_url=store_url, snapshot_interval=3), today=clock)
    with caplog.at_level(logging.WARNING, logger="goalengine.audit"):
        assert untouched.get_goal(goal_id).version == 5
    untouched.close()
    assert "ignored" not in caplog.text, "a genuine snapshot is used"
    reader = Goals(store_settings(database_url=store_url, snapshot_interval=3), today=clock)
    try:
        tampering._execute(reader, "UPDATE " + table + " SET state = :s WHERE originator_version = :v",
                           s=forged, v=snapshot.originator_version)
        with caplog.at_level(logging.WARNING, logger="goalengine.audit"):
            loaded = reader.get_goal(goal_id)
        assert loaded.title == "Support throughput and satisfaction" and loaded.version == 5
        assert f"snapshot of goal {goal_id} at version 3 ignored" in caplog.text
    finally:
        reader.close()
    only_public_key(monkeypatch)
    assert main(["verify"]) == 0, "the events themselves are intact"
    assert main(["verify", "--snapshots"]) == 1
    assert f"snapshot_mismatch: goal {goal_id}, version 3" in capsys.readouterr().out


def run_verifier(bundle: Path, *keys: str) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-I", str(VERIFIER), str(bundle)] + [a for k in keys for a in ("--public-key", k)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, cwd=bundle.parent,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})


def test_an_exported_bundle_verifies_with_the_standalone_script_and_a_changed_one_does_not(
    goal: UUID, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "export", str(goal), "--out", "bundle.json"]) == 0
    done = run_verifier(tmp_path / "bundle.json", PUBLIC_KEY_FILE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"verified: 6 events of goal {goal}" in done.stdout
    bundle = json.loads((tmp_path / "bundle.json").read_text())
    leaf = base64.b64decode(bundle["events"][4]["leaf_input"]).replace(b'"_data_":"10"', b'"_data_":"99"')
    bundle["events"][4]["leaf_input"] = base64.b64encode(leaf).decode()
    (tmp_path / "changed.json").write_text(json.dumps(bundle))
    changed = run_verifier(tmp_path / "changed.json", PUBLIC_KEY_FILE)
    assert changed.returncode == 1 and "version 5: the inclusion proof does not lead" in changed.stdout
    other = generate_pair(tmp_path / "other")
    wrong_key = run_verifier(tmp_path / "bundle.json", str(tmp_path / "other/audit-signing.pub"))
    assert wrong_key.returncode == 1 and other.key_id and "no signature on the checkpoint" in wrong_key.stdout


def write_hmac_store(goals: Goals, key: bytes) -> None:
    """Rewrite the store as the code before ADR 0013 left it: `_chain` HMAC links, no signatures."""
    heads: dict[str, str] = {}
    for row in goals.recorder.select_notifications(0, 1000):
        sealed = unseal(row.state)
        assert sealed is not None
        state = json.loads(sealed.unsigned)
        goal_id = str(row.originator_id)
        state[CHAIN_FIELD] = link(key, heads.get(goal_id, GENESIS), goal_id, row.originator_version, row.topic, state)
        heads[goal_id] = state[CHAIN_FIELD]
        tampering.write_state(goals, UUID(goal_id), row.originator_version, state)


def test_migrate_verifies_the_hmac_chain_then_signs_every_event(
    goals: Goals, goal: UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_hmac_store(goals, b"old-hmac-key")
    (tmp_path / "old.key").write_text("old-hmac-key\n")
    (tmp_path / "wrong.key").write_text("another-key\n")
    assert main(["audit", "migrate", "--old-key", "wrong.key"]) == 1
    assert "does not verify with the old key: nothing was migrated" in capsys.readouterr().out
    assert main(["audit", "migrate", "--old-key", "old.key"]) == 0
    out = capsys.readouterr().out
    assert "migrated 13 events from the HMAC chain" in out and "\n13\n" in out
    only_public_key(monkeypatch)
    assert main(["verify"]) == 0
    assert "migrated from the HMAC chain" in capsys.readouterr().out
    monkeypatch.setenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE", os.environ["GOALENGINE_AUDIT_PUBLIC_KEY_FILE"].replace(
        ".pub", ".key"))
    assert main(["audit", "migrate", "--old-key", "old.key"]) == 1, "a migrated store is not migrated twice"


def test_signing_commands_without_a_key_or_a_store_exit_2_and_create_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    for command in (["checkpoint"], ["audit", "export", "00000000-0000-0000-0000-000000000001", "--out", "b.json"]):
        assert main(command) == 2
        assert "no store" in capsys.readouterr().out
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    assert main(["checkpoint"]) == 2
    assert "GOALENGINE_AUDIT_SIGNING_KEY_FILE" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_the_standalone_verifier_imports_nothing_but_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(VERIFIER.read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {str(node.module).split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert modules <= {"argparse", "base64", "hashlib", "json", "sys", "cryptography"}, modules

"""`make run` (serve --demo-token) signs with a demo key pair under var/keys unless a signing key is configured."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from api.cli.keys import ensure_demo_data_key, ensure_demo_keys


def test_a_demo_pair_is_created_once_and_announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    assert ensure_demo_keys() == ("created a demo audit key pair in var/keys/ "
                                  "(for production keep the key off the data volume)")
    assert os.environ["GOALENGINE_AUDIT_SIGNING_KEY_FILE"] == "var/keys/audit-signing.key"
    assert stat.S_IMODE((tmp_path / "var/keys/audit-signing.key").stat().st_mode) == 0o600
    monkeypatch.delenv("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    assert ensure_demo_keys() == "signing with the demo audit key pair in var/keys/"


def test_a_configured_signing_key_is_used_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert ensure_demo_keys() is None
    assert not (tmp_path / "var").exists()


def test_a_demo_data_master_key_is_created_once_0600_unless_one_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    configured = os.environ["GOALENGINE_DATA_MASTER_KEY_FILE"]
    assert ensure_demo_data_key() is None and not (tmp_path / "var").exists()
    monkeypatch.delenv("GOALENGINE_DATA_MASTER_KEY_FILE")
    assert ensure_demo_data_key() == ("created a demo data master key var/keys/data-master.key "
                                      "(for production keep it off the data volume)")
    assert stat.S_IMODE((tmp_path / "var/keys/data-master.key").stat().st_mode) == 0o600
    assert len(bytes.fromhex((tmp_path / "var/keys/data-master.key").read_text().strip())) == 32
    monkeypatch.delenv("GOALENGINE_DATA_MASTER_KEY_FILE")
    assert ensure_demo_data_key() == "sealing personal text with the demo data master key var/keys/data-master.key"
    monkeypatch.setenv("GOALENGINE_DATA_MASTER_KEY_FILE", configured)

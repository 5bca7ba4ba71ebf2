"""`make run` (serve --demo-token) signs with a demo key pair under var/keys unless a signing key is configured."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from api.cli.keys import ensure_demo_keys


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

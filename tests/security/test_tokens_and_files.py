"""Token lifetimes, subjects and secrets; state on disk is private and only serve and demo create it."""

from __future__ import annotations

import os
import stat
import time
import unicodedata
from pathlib import Path

import jwt
import pytest

from api.cli.keys import ensure_demo_keys
from hypothesis import given
from hypothesis import strategies as st

from api.auth import MAX_TTL_SECONDS, is_clean_subject
from api.cli import main
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.security.conftest import Api


def token(claims: dict[str, object]) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, API_SECRET, algorithm='HS256')}"}


def test_a_token_living_longer_than_the_maximum_is_refused_401(api: Api) -> None:
    now = int(time.time())
    for claims in (
        {"exp": 10**30}, {"exp": now + MAX_TTL_SECONDS + 3600}, {"iat": now - 10, "exp": now + 2 * MAX_TTL_SECONDS},
    ):
        response = api.client.get("/goals", headers=token({"sub": "hr-7", "role": "hr", **claims}))
        assert response.status_code == 401 and "GOALENGINE_TOKEN_MAX_TTL" in response.json()["detail"], claims
    fine = api.client.get("/goals", headers=token({"sub": "hr-7", "role": "hr", "exp": now + 3600}))
    assert fine.status_code == 200


def test_a_token_without_exp_is_refused_401(api: Api) -> None:
    assert api.client.get("/goals", headers=token({"sub": "hr-7", "role": "hr"})).status_code == 401


@pytest.mark.parametrize(
    "sub", ["mgr-1 ", " mgr-1", "mgr-1\n", "mgr\x001", "", "Jose\u0301", "x" * 201, "mgr\u200b-1", "\t"]
)
def test_a_subject_that_is_not_one_clean_spelling_is_refused_401(api: Api, sub: str) -> None:
    response = api.client.get("/goals", headers=token({"sub": sub, "role": "hr", "exp": int(time.time()) + 60}))
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


@given(st.text(max_size=30))
def test_a_clean_subject_is_its_own_nfc_stripped_printable_form(sub: str) -> None:
    if is_clean_subject(sub):
        assert sub == unicodedata.normalize("NFC", sub).strip() and sub.isprintable()


def test_the_token_command_caps_the_lifetime_and_checks_the_subject(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOALENGINE_SECRET", API_SECRET)
    assert main(["token", "--sub", "hr-7", "--role", "hr", "--ttl", str(MAX_TTL_SECONDS + 1)]) == 2
    assert "GOALENGINE_TOKEN_MAX_TTL" in capsys.readouterr().err
    assert main(["token", "--sub", "mgr-1 ", "--role", "hr"]) == 2
    assert main(["token", "--sub", "hr-7", "--role", "hr", "--ttl", "60"]) == 0


def test_serve_refuses_a_secret_shorter_than_32_bytes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GOALENGINE_SECRET", "x" * 31)
    assert main(["serve", "--port", "1"]) == 2
    assert "GOALENGINE_SECRET must be at least 32 bytes" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["projections", "status"], ["replay", "00000000-0000-0000-0000-000000000000"],
                                     ["fairness", "--cycle", "2026-H1"], ["webhooks", "run"],
                                     ["token", "--sub", "a", "--role", "hr"]])
def test_commands_other_than_serve_and_demo_create_nothing_and_exit_2_naming_the_setting(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    names = ("GOALENGINE_DATABASE_URL", "GOALENGINE_SECRET", "GOALENGINE_AUDIT_KEY",
             "GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    assert main(command) == 2
    assert "GOALENGINE_" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_serve_state_is_created_0600_in_a_0700_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    names = ("GOALENGINE_DATABASE_URL", "GOALENGINE_SECRET", "GOALENGINE_AUDIT_KEY",
             "GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env(create=True)
    settings.eventsourcing_env()  # what the store does before it opens the database
    assert stat.S_IMODE(os.stat(tmp_path / "var").st_mode) == 0o700
    for name in ("secret", "goalengine.db"):
        assert stat.S_IMODE(os.stat(tmp_path / "var" / name).st_mode) == 0o600, name
    assert len(settings.api_secret.encode()) >= 32
    assert not (tmp_path / "var" / "audit.key").exists(), "the HMAC key of old stores is never created (ADR 0013)"
    ensure_demo_keys()  # what `make run` (serve --demo-token) adds: a demo signing pair
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "keys" / "audit-signing.key").st_mode) == 0o600

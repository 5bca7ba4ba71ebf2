"""A store holding sealed personal text is never served or read without the master key that opens it (issue 29):
the command exits 2 naming GOALENGINE_DATA_MASTER_KEY_FILE, and a key that becomes unusable while serving gives 503
data_master_key_missing on the reads that need it, never 500."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli import main
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Actor
from tests.application.privacy.support import employee_with_history
from tests.conftest import Clock
from tests.e2e.test_http_lifecycle import free_port
from tests.scenarios import HR, MANAGER

VARIABLE = "GOALENGINE_DATA_MASTER_KEY_FILE"
OTHER_KEY = "7a" * 32


def serve_exit(store_url: str, cwd: Path, **env: str | None) -> subprocess.CompletedProcess[str]:
    """`goalengine serve` as a real process on this store, with these variables changed (None: unset)."""
    environ = {**os.environ, "GOALENGINE_DATABASE_URL": store_url,
               "GOALENGINE_SECRET": "sealed-store-secret-of-at-least-32-bytes"}
    for name, value in env.items():
        environ.pop(name, None) if value is None else environ.__setitem__(name, value)
    return subprocess.run([sys.executable, "-m", "api.cli", "serve", "--port", str(free_port())], cwd=cwd,
                          env=environ, capture_output=True, text=True, timeout=60)


@pytest.fixture
def sealed_goal(goals: Goals, clock: Clock) -> UUID:
    """emp-1's goal, its readings and recalibrations carrying sealed personal text."""
    return employee_with_history(goals, clock)


@pytest.fixture
def sealed_store(sealed_goal: UUID, store_url: str) -> str:
    return store_url


def test_serve_on_a_sealed_store_without_the_master_key_exits_2_naming_it(sealed_store: str, tmp_path: Path) -> None:
    served = serve_exit(sealed_store, tmp_path, **{VARIABLE: None})
    assert served.returncode == 2, served.stdout + served.stderr
    assert VARIABLE in served.stderr and "sealed" in served.stderr
    assert "warning: no data master key" not in served.stdout  # the refusal alone, not a warning that contradicts it


def test_serve_with_a_master_key_that_does_not_open_the_store_exits_2_naming_it(
    sealed_store: str, tmp_path: Path
) -> None:
    (tmp_path / "other.key").write_text(OTHER_KEY + "\n")
    served = serve_exit(sealed_store, tmp_path, **{VARIABLE: str(tmp_path / "other.key")})
    assert served.returncode == 2, served.stdout + served.stderr
    assert VARIABLE in served.stderr and "does not open" in served.stderr


@pytest.mark.parametrize("command", [["projections", "status"], ["replay", "{goal}"], ["verify"], ["worker"]])
def test_every_command_reading_a_sealed_store_without_the_key_exits_2_naming_it(
    sealed_goal: UUID, store_url: str, command: list[str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.delenv(VARIABLE)
    assert main([part.format(goal=sealed_goal) for part in command]) == 2
    assert VARIABLE in capsys.readouterr().err


def test_a_store_without_sealed_text_still_opens_without_the_key(goals: Goals, settings: Settings) -> None:
    """Nothing sealed, nothing to open: the key stays needed only by commands that carry personal text."""
    Goals(Settings(database_url=settings.database_url, data_master_key=None)).close()


def test_a_master_key_unusable_while_serving_answers_503_on_reads_that_need_it(
    sealed_goal: UUID, auth: Callable[[Actor], dict[str, str]], api_settings: Settings
) -> None:
    served = Goals(api_settings)
    try:
        with TestClient(create_app(api_settings, served)) as client:
            assert client.get("/events?after=0&limit=100", headers=auth(HR)).status_code == 200
            served.data_keys._master = AESGCM(bytes.fromhex(OTHER_KEY))  # the key replaced under a running server
            served.data_keys._forget()  # (as an erasure elsewhere would make it reload the keys)
            for path, actor in (("/events?after=0&limit=100", HR), (f"/goals/{sealed_goal}", MANAGER)):
                answer = client.get(path, headers=auth(actor))
                assert (answer.status_code, answer.json()["code"]) == (503, "data_master_key_missing"), answer.text
    finally:
        served.close()


def test_the_fairness_report_reads_no_sealed_field_so_it_runs_without_the_key(
    sealed_goal: UUID, store_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 27 (ADR 0041) over issue 29: the one command that needs no data key opens a sealed store without it."""
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", store_url)
    monkeypatch.delenv(VARIABLE)
    assert main(["fairness", "--cycle", "2026-H1", "--format", "json"]) == 0
    assert '"report_version":2' in capsys.readouterr().out

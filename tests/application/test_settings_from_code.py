"""Settings made in code hold what they are given; only `Settings.from_env`, which the composition root calls,
reads the environment (issue 21)."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.store.bounds import Bounds
from application.store.settings import DEFAULT_AUDIT_ORIGIN, Settings, SettingsError

MASTER_KEY = "ab" * 32


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment naming every key file and policy (the signing key is the test session's)."""
    key = tmp_path / "data-master.key"
    key.write_text(MASTER_KEY + "\n")
    monkeypatch.setenv("GOALENGINE_DATA_MASTER_KEY_FILE", str(key))
    monkeypatch.setenv("GOALENGINE_AUDIT_ORIGIN", "elsewhere/log")
    monkeypatch.setenv("GOALENGINE_RETENTION_YEARS", "7")
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", f"sqlite:///{tmp_path / 'goals.db'}")


def key_fields(settings: Settings) -> tuple[object, ...]:
    return (settings.audit_signing_key, settings.audit_public_keys, settings.audit_origin, settings.data_master_key,
            settings.retention_years)


@pytest.mark.usefixtures("configured")
def test_settings_made_in_code_pick_up_nothing_from_the_environment(tmp_path: Path) -> None:
    made = Settings(database_url=f"sqlite:///{tmp_path / 'other.db'}")
    assert key_fields(made) == (None, (), DEFAULT_AUDIT_ORIGIN, None, None)
    assert made.database_url.endswith("other.db")


@pytest.mark.usefixtures("configured")
def test_settings_from_the_environment_read_every_key_file_and_policy(tmp_path: Path) -> None:
    read = Settings.from_env()
    assert read.audit_signing_key is not None and read.audit_signing_key.startswith(b"-----BEGIN PRIVATE KEY")
    assert key_fields(read)[2:] == ("elsewhere/log", bytes.fromhex(MASTER_KEY), 7)
    assert read.database_url == f"sqlite:///{tmp_path / 'goals.db'}"


def test_the_readings_a_goal_answer_keeps_are_configured_by_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env({}).bounds.goal_measurements == 100  # the default, as issue 28 asks
    assert Settings.from_env({"GOALENGINE_GOAL_MEASUREMENTS": "10"}).bounds == Bounds(goal_measurements=10)
    monkeypatch.setenv("GOALENGINE_GOAL_MEASUREMENTS", "7")
    assert Settings(database_url="sqlite:///x.db").bounds.goal_measurements == 100  # code settings read nothing


@pytest.mark.parametrize("text", ["0", "-5", "ten", "1.5", "10001", " 10"])
def test_a_bound_that_cannot_work_is_refused_naming_the_variable(text: str) -> None:
    with pytest.raises(SettingsError, match=r"GOALENGINE_GOAL_MEASUREMENTS .*1 to 10,000"):
        Settings.from_env({"GOALENGINE_GOAL_MEASUREMENTS": text})

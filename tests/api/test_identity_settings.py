"""Sign-in settings from the environment (api/identity/config.py): refused with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.identity.config import IdentitySettings
from application.store.settings import SettingsError
from domain.values import Role


def test_without_an_issuer_only_local_sign_in_is_configured() -> None:
    settings = IdentitySettings.from_env({})
    assert (settings.oidc, settings.local_tokens, settings.person_claim) == (False, True, "email")


def test_a_full_configuration_is_read(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("s3cret\n")
    settings = IdentitySettings.from_env({
        "GOALENGINE_OIDC_ISSUER": "https://idp.example/realms/acme", "GOALENGINE_OIDC_CLIENT_ID": "goalengine",
        "GOALENGINE_OIDC_CLIENT_SECRET_FILE": str(tmp_path / "secret"), "GOALENGINE_OIDC_PERSON_CLAIM": "sub",
        "GOALENGINE_OIDC_AUDIENCE": "api://goalengine", "GOALENGINE_LOCAL_TOKENS": "false",
        "GOALENGINE_OPEN_ROLES": "ana=manager"})
    assert settings.issuer == "https://idp.example/realms/acme" and settings.client_secret == "s3cret"
    assert (settings.person_claim, settings.audience, settings.local_tokens) == ("sub", "api://goalengine", False)
    assert settings.open_roles == {"ana": frozenset({Role.MANAGER})}


@pytest.mark.parametrize("env, named", [
    ({"GOALENGINE_OIDC_ISSUER": "http://idp.example", "GOALENGINE_OIDC_CLIENT_ID": "c"}, "GOALENGINE_OIDC_ISSUER"),
    ({"GOALENGINE_OIDC_ISSUER": "https://idp.example"}, "GOALENGINE_OIDC_CLIENT_ID"),
    ({"GOALENGINE_OIDC_PERSON_CLAIM": "preferred_username"}, "GOALENGINE_OIDC_PERSON_CLAIM"),
    ({"GOALENGINE_OIDC_CLIENT_SECRET_FILE": "/nonexistent/secret"}, "GOALENGINE_OIDC_CLIENT_SECRET_FILE"),
    ({"GOALENGINE_OPEN_ROLES": "ana=boss"}, "GOALENGINE_OPEN_ROLES"),
    ({"GOALENGINE_OIDC_REDIRECT_URI": "https://goals.example.com/callback"}, "GOALENGINE_OIDC_REDIRECT_URI"),
    ({"GOALENGINE_OIDC_REDIRECT_URI": "http://goals.example.com/auth/callback"}, "GOALENGINE_OIDC_REDIRECT_URI"),
])
def test_a_configuration_that_cannot_work_names_its_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        IdentitySettings.from_env(env)


def test_http_is_allowed_on_loopback_only() -> None:
    for issuer in ("http://127.0.0.1:9400", "http://localhost:9400", "http://[::1]:9400"):
        assert IdentitySettings.from_env({"GOALENGINE_OIDC_ISSUER": issuer, "GOALENGINE_OIDC_CLIENT_ID": "c"}).oidc


def test_the_token_command_refuses_when_local_tokens_are_off(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOALENGINE_SECRET", "a-secret-of-at-least-32-bytes-for-tokens")
    monkeypatch.setenv("GOALENGINE_LOCAL_TOKENS", "false")
    assert main(["token", "--sub", "hr-7", "--role", "hr"]) == 2
    assert "GOALENGINE_LOCAL_TOKENS=false" in capsys.readouterr().err
    monkeypatch.setenv("GOALENGINE_LOCAL_TOKENS", "true")
    assert main(["token", "--sub", "hr-7", "--role", "hr"]) == 0

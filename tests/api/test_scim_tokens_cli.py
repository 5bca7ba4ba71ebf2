"""`goalengine scim token|tokens|revoke`: a token printed once, stored hashed, listed by name, revoked for good."""

from __future__ import annotations

import pytest

from api.cli import main
from application.directory.tokens import ProvisioningTokens, scim_tokens
from application.goals.service import Goals


def test_a_token_is_printed_once_stored_hashed_listed_and_revoked(
        goals: Goals, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", goals.settings.database_url)
    assert main(["scim", "token", "--name", "okta"]) == 0
    token = capsys.readouterr().out.strip()
    tokens = ProvisioningTokens(goals.engine)
    assert token.startswith("scim_") and tokens.holder(token) == "okta"
    with goals.engine.connect() as connection:
        stored = [tuple(row) for row in connection.execute(scim_tokens.select())]
    assert token not in repr(stored)  # only its hash
    assert main(["scim", "token", "--name", "okta"]) == 1  # one live token per name
    assert "exists already" in capsys.readouterr().out
    assert main(["scim", "tokens"]) == 0
    assert "okta" in capsys.readouterr().out and token not in capsys.readouterr().out
    assert main(["scim", "revoke", "okta"]) == 0 and tokens.holder(token) is None
    assert main(["scim", "revoke", "okta"]) == 1
    capsys.readouterr()
    assert main(["scim", "tokens"]) == 0 and "revoked" in capsys.readouterr().out
    assert main(["scim", "token", "--name", "Bad Name"]) == 1

"""Local tokens checked once: the memo keeps at most its bound, never vouches for a token it did not check, and
checks a remembered token's times at every use."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from api.auth import VerifiedTokens, issue_token
from api.problems import Problem
from application.store.bounds import Bounds
from domain.values import Actor, Role

SECRET = "a-secret-of-at-least-32-bytes-for-hs256"
TTL = 3600


def test_a_checked_token_is_remembered_and_answers_the_same_actor() -> None:
    tokens = VerifiedTokens(size=4)
    token = issue_token(SECRET, "mgr-1", Role.MANAGER)
    assert tokens.remembered(SECRET, token, TTL * 24) is None
    assert tokens.actor(SECRET, token, TTL * 24) == Actor("mgr-1", Role.MANAGER)
    assert tokens.remembered(SECRET, token, TTL * 24) == Actor("mgr-1", Role.MANAGER)


def test_past_its_bound_the_oldest_token_is_forgotten_and_checked_again_in_full() -> None:
    tokens = VerifiedTokens(size=3)
    issued = [issue_token(SECRET, f"emp-{n}", Role.EMPLOYEE) for n in range(5)]
    for token in issued:
        tokens.actor(SECRET, token, TTL * 24)
    assert len(tokens) == 3
    assert tokens.remembered(SECRET, issued[0], TTL * 24) is None
    assert tokens.actor(SECRET, issued[0], TTL * 24) == Actor("emp-0", Role.EMPLOYEE)
    assert len(tokens) == 3 and tokens.remembered(SECRET, issued[1], TTL * 24) is None


def test_a_token_remembered_under_one_secret_is_not_taken_under_another() -> None:
    tokens = VerifiedTokens(size=4)
    token = issue_token(SECRET, "hr-1", Role.HR)
    tokens.actor(SECRET, token, TTL * 24)
    other = "another-secret-of-at-least-32-bytes!!"
    assert tokens.remembered(other, token, TTL * 24) is None
    with pytest.raises(Problem) as refused:
        tokens.actor(other, token, TTL * 24)
    assert refused.value.code == "invalid_token"


def test_a_remembered_token_is_refused_once_expired_or_once_the_allowed_lifetime_is_shorter() -> None:
    tokens = VerifiedTokens(size=4)
    with freeze_time("2026-03-02 08:00:00"):
        token = issue_token(SECRET, "emp-1", Role.EMPLOYEE, ttl=TTL)
        tokens.actor(SECRET, token, TTL)
    with freeze_time("2026-03-02 08:59:59"):
        assert tokens.remembered(SECRET, token, TTL) == Actor("emp-1", Role.EMPLOYEE)
        with pytest.raises(Problem) as too_long:
            tokens.remembered(SECRET, token, 60)
        assert too_long.value.code == "invalid_token"
    with freeze_time("2026-03-02 09:00:00"):
        with pytest.raises(Problem) as expired:
            tokens.actor(SECRET, token, TTL)
        assert expired.value.code == "token_expired"


def test_the_default_bound_is_the_one_in_bounds() -> None:
    assert VerifiedTokens().size == Bounds().verified_tokens

"""Data keys in memory: every key kept as its bytes, only so many opened as ciphers, none left open after an erasure."""

from __future__ import annotations

import pytest

from application.goals.service import Goals
from application.privacy import keys as data_key_module
from application.privacy.keys import _cipher_of


def test_only_so_many_keys_are_open_as_ciphers_at_once(goals: Goals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_key_module, "_cipher_of", data_key_module.functools.lru_cache(maxsize=4)(
        _cipher_of.__wrapped__))
    key_ids = [goals.data_keys.active_key(f"person-{n}")[0] for n in range(10)]
    goals.data_keys._forget()  # a fresh process: nothing cached
    opened = [goals.data_keys.cipher(key_id) for key_id in key_ids]
    assert all(cipher is not None for cipher in opened)
    assert data_key_module._cipher_of.cache_info().currsize == 4
    sealed = opened[0].encrypt(b"0" * 12, b"text", None)  # type: ignore[union-attr]
    assert goals.data_keys.cipher(key_ids[0]).decrypt(b"0" * 12, sealed, None) == b"text"  # type: ignore[union-attr]


def test_no_key_stays_open_after_an_erasure(goals: Goals) -> None:
    key_id, _cipher = goals.data_keys.active_key("person-gone")
    goals.data_keys.active_key("person-kept")
    assert _cipher_of.cache_info().currsize >= 1
    goals.data_keys.erase("person-gone")
    assert _cipher_of.cache_info().currsize == 0
    assert goals.data_keys.cipher(key_id) is None

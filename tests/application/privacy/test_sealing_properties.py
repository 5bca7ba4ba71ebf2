"""Sealing, as properties: any text opens to itself, no two seals of it are alike, and erasure opens none of them."""

from __future__ import annotations

import secrets

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from application.privacy.keys import DataKeys
from application.privacy.registry import ERASED
from application.privacy.sealing import open_text, seal

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1)  # what JSON carries as UTF-8


def fresh_keys() -> DataKeys:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    return DataKeys(engine, secrets.token_bytes(32))


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=5), person=st.sampled_from(["emp-1", "emp-2"]))
def test_any_text_opens_to_itself_until_its_person_is_erased(texts: list[str], person: str) -> None:
    keys = fresh_keys()
    sealed = [seal(keys, person, text.encode()) for text in texts]
    kept = seal(keys, "someone-else", b"kept")
    assert len(set(sealed)) == len(sealed)  # a fresh nonce each time: equal texts do not look equal
    assert [open_text(keys, s) for s in sealed] == texts
    keys.erase(person)
    assert [open_text(keys, s) for s in sealed] == [ERASED] * len(texts)
    assert open_text(keys, kept) == "kept"

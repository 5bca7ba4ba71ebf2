"""Invariants for consumers, checked by Hypothesis: a filtered feed read page by page is exactly the matching part
of the log, in order, once; sealed secrets open only with their key and row; every rotation signature verifies."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from application.events.feed import EventFeed
from application.events.filters import EventFilter
from application.goals.service import Goals
from application.webhooks.sealing import SecretBox, SecretUnreadableError
from application.webhooks.signing import new_secret, signed_headers
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, YEAR, agreed, customer_service_terms, defect_rate_terms, draft
from tests.strategies import event_filters

TYPES = st.sampled_from([(), (), ("goal.drafted.v1",), ("goal.kpi_recorded.v1", "goal.agreed.v1")])


def seed(goals: Goals, clock: Clock) -> list[str]:
    first = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    goals.record_kpi(first, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 2, 1))
    second = draft(goals, customer_service_terms(cycle=YEAR, deadline=date(2026, 12, 31), title="Year"))
    third = agreed(goals, defect_rate_terms())
    goals.record_kpi(first, EMPLOYEE, kpi="tickets", value=Decimal(17), observed_at=date(2026, 2, 2))
    return [str(first), str(second), str(third)]


def matches(goals: Goals, cloudevent: dict[str, object], wanted: EventFilter, types: tuple[str, ...]) -> bool:
    if not str(cloudevent["type"]).startswith("goal."):  # a cycle's or an objective's: judged by its own fields
        data = cloudevent["data"]
        assert isinstance(data, dict)
        return ((not types or cloudevent["type"] in types) and not wanted.subjects
                and (wanted.cycle is None or data.get("cycle") == wanted.cycle)
                and (wanted.org_unit is None or data.get("org_unit") == wanted.org_unit))
    goal = goals.get_goal(UUID(str(cloudevent["subject"])))
    return ((not types or cloudevent["type"] in types)
            and (not wanted.subjects or cloudevent["subject"] in wanted.subjects)
            and (wanted.cycle is None or goal.cycle.id == wanted.cycle)
            and (wanted.org_unit is None or goal.org_unit == wanted.org_unit))


def test_a_filtered_feed_read_page_by_page_is_exactly_the_matching_events_in_order(goals: Goals, clock: Clock) -> None:
    ids = seed(goals, clock)
    feed = EventFeed(goals)
    everything = feed.page(0, 1000).items

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(wanted=event_filters(ids), types=TYPES, limit=st.integers(1, 4), start=st.integers(0, 3))
    def check(wanted: EventFilter, types: tuple[str, ...], limit: int, start: int) -> None:
        read, after = [], start
        while True:
            page = feed.page(after, limit, types, wanted)
            assert page.next_after >= after and len(page.items) <= limit
            read += page.items
            if not page.items:
                break
            after = page.next_after
        expected = [e for e in everything[start:] if matches(goals, e, wanted, types)]
        assert [e["id"] for e in read] == [e["id"] for e in expected]

    check()


@settings(max_examples=50, deadline=None)
@given(secret=st.text(min_size=1, max_size=80), row=st.uuids(), other=st.uuids(),
       key=st.binary(min_size=32, max_size=32))
def test_a_sealed_secret_opens_only_with_its_key_and_its_row(
    secret: str, row: UUID, other: UUID, key: bytes
) -> None:
    box = SecretBox(key)
    sealed = box.seal(secret, str(row))
    assert box.open(sealed, str(row)) == secret
    assert sealed != box.seal(secret, str(row))  # a fresh nonce each time
    other_key = SecretBox(bytes(b ^ 0xFF for b in key))
    with pytest.raises(SecretUnreadableError):
        other_key.open(sealed, str(row))
    if other != row:
        with pytest.raises(SecretUnreadableError):
            box.open(sealed, str(other))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=10)


@settings(max_examples=30, deadline=None)
@given(data=st.dictionaries(st.text(max_size=8), JSON, max_size=4), count=st.integers(1, 3),
       message=st.from_regex(r"[a-z0-9-]{1,36}:[0-9]{1,4}", fullmatch=True))
def test_every_secret_of_a_rotation_verifies_the_same_delivery(data: dict[str, object], count: int, message: str
                                                               ) -> None:
    body = json.dumps(data)
    secrets = [new_secret() for _ in range(count)]
    headers = signed_headers(secrets, message, int(time.time()), body)
    for secret in secrets:
        assert Webhook(secret).verify(body.encode(), headers) == data
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body.encode(), headers)
    assert len(headers["webhook-signature"].split(" ")) == count

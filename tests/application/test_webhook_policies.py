"""Webhooks for real consumers: parked events and their redelivery, rewind, filters, secret rotation, sealed secrets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from standardwebhooks import Webhook, WebhookVerificationError

from application.events.cloudevents import to_cloudevent
from application.events.filters import EventFilter
from application.goals.service import Goals
from application.webhooks.config import WebhookSettings
from domain.cycle import cycle_uuid
from application.webhooks.delivery import WebhookDelivery
from application.webhooks.sealing import SecretBox
from application.webhooks.subscriptions import Subscription, SubscriptionStore
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE, H1, SETUP_EVENTS, YEAR, agreed, customer_service_terms, defect_rate_terms, draft,
)
from tests.webhook_receiver import Receiver

SETTINGS = WebhookSettings(allow_private=True, backoff_base=0.001, backoff_cap=0.002, timeout=5, poll_interval=0.01,
                           max_attempts=2, secret_overlap=60)


class WallClock:
    """Real time plus an offset the test moves (Standard Webhooks receivers refuse timestamps 5 minutes off)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def delivery(goals: Goals, wall: WallClock) -> Iterator[WebhookDelivery]:
    store = SubscriptionStore(goals.engine, SETTINGS, wall, box=SecretBox(b"k" * 32))
    worker = WebhookDelivery(goals, SETTINGS, worker_id="test-worker", clock=wall, store=store)
    yield worker
    worker.close()


def subscribe(delivery: WebhookDelivery, receiver: Receiver, on_failure: str = "pause") -> Subscription:
    subscription = delivery.store.create(receiver.url, [], created_by="svc-1", after=0, on_failure=on_failure)
    receiver.secret = subscription.secret
    return subscription


def deliver_until(delivery: WebhookDelivery, receiver: Receiver, subscription_id: str, position: int) -> None:
    receiver.wait_for(lambda: delivery.store.get(subscription_id).position >= position, step=delivery.run_once)


def three_goals(goals: Goals, clock: Clock) -> list[str]:
    """Two goals in support (H1, then the year's cycle) and one in quality; one KPI reading on the first."""
    first = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    goals.record_kpi(first, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 2, 1))
    second = draft(goals, customer_service_terms(cycle=YEAR, deadline=date(2026, 12, 31), title="Year"))
    third = draft(goals, defect_rate_terms())
    return [str(first), str(second), str(third)]


def test_a_rejected_event_is_parked_the_next_arrive_and_a_redelivery_keeps_its_webhook_id(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    three_goals(goals, clock)
    expected = [to_cloudevent(e.event, e.position) for e in goals.log_events()]
    rejected = expected[1]
    with Receiver() as receiver:
        receiver.rejected_ids.add(rejected["id"])
        subscription = subscribe(delivery, receiver, on_failure="park")
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
        parked = delivery.store.parking.list(subscription.id)
        assert [(p.event_id, p.position, p.attempts) for p in parked] == [(rejected["id"], 2, 2)]
        assert parked[0].last_error.startswith("HTTP 422")
        assert [d.body["id"] for d in receiver.accepted()] == [e["id"] for e in expected if e is not rejected]
        assert delivery.store.get(subscription.id).status == "active"

        receiver.rejected_ids.clear()
        delivery.store.parking.request_redelivery(subscription.id, rejected["id"])
        receiver.wait_for(lambda: not delivery.store.parking.list(subscription.id), step=delivery.run_once)
    last = receiver.accepted()[-1]
    assert (last.webhook_id, last.body["position"], last.body) == (rejected["id"], 2, rejected)
    assert receiver.bad_signatures == []


def test_a_redelivery_that_fails_again_stays_parked_with_the_new_error(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    goal_id = draft(goals, customer_service_terms())
    with Receiver() as receiver:
        receiver.rejected_ids.add(f"{goal_id}:1")
        subscription = subscribe(delivery, receiver, on_failure="park")
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
        event_id = delivery.store.parking.list(subscription.id)[0].event_id
        delivery.store.parking.request_redelivery(subscription.id, event_id)
        receiver.wait_for(lambda: receiver.requests() == SETUP_EVENTS + 3, step=delivery.run_once)
    (parked,) = delivery.store.parking.list(subscription.id)
    assert (parked.attempts, parked.redelivery_requested_at) == (3, None)


def test_under_the_pause_policy_a_rejected_event_still_pauses_the_subscription(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    goal_id = draft(goals, customer_service_terms())
    with Receiver() as receiver:
        receiver.rejected_ids.add(f"{goal_id}:1")
        subscription = subscribe(delivery, receiver)
        receiver.wait_for(lambda: delivery.store.get(subscription.id).status == "paused", step=delivery.run_once)
    assert delivery.store.parking.list(subscription.id) == []


def test_a_rewound_subscription_delivers_again_from_the_position(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    three_goals(goals, clock)
    head = goals.head_position()
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver)
        deliver_until(delivery, receiver, subscription.id, head)
        delivery.store.rewind(subscription.id, head - 2, head, owner="svc-1")
        receiver.wait_for(lambda: len(receiver.accepted()) == head + 2, step=delivery.run_once)
    positions = [d.body["position"] for d in receiver.accepted()]
    assert positions == [*range(1, head + 1), head - 1, head]


def test_filters_send_only_the_goals_cycles_and_org_units_asked_for(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    first, second, third = three_goals(goals, clock)
    filters = {
        "subject": ([], EventFilter((third,))),
        "cycle": ([], EventFilter(cycle=H1.id)),
        "org_unit": (["goal.drafted.v1"], EventFilter(org_unit="support")),
    }
    got: dict[str, list[tuple[str, str]]] = {}
    for name, (types, event_filter) in filters.items():
        with Receiver() as receiver:
            made = delivery.store.create(receiver.url, types, "svc-1", 0, event_filter)
            receiver.secret = made.secret
            deliver_until(delivery, receiver, made.id, goals.head_position())
        got[name] = [(d.body["subject"], d.body["type"]) for d in receiver.accepted()]
    assert got["subject"] == [(third, "goal.drafted.v1")]
    goal_events = [(subject, kind) for subject, kind in got["cycle"] if kind.startswith("goal.")]
    assert {subject for subject, _ in goal_events} == {first} and len(goal_events) == 5
    assert got["cycle"][0] == (str(cycle_uuid(H1.id)), "cycle.opened.v1")  # the cycle's own event names it too
    assert got["org_unit"] == [(first, "goal.drafted.v1"), (second, "goal.drafted.v1")]


def test_during_the_overlap_both_secrets_verify_and_afterwards_only_the_new_one(
    goals: Goals, delivery: WebhookDelivery, wall: WallClock
) -> None:
    draft(goals, customer_service_terms())
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver)
        old = subscription.secret
        rotated, new = delivery.store.rotate_secret(subscription.id, owner="svc-1")
        assert new != old and rotated.signing_secrets == (new, old)
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
        during = receiver.accepted()[-1]
        draft(goals, customer_service_terms(title="Second"))
        wall.offset = SETTINGS.secret_overlap + 1
        receiver.secret = new
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
        after = receiver.accepted()[-1]
    for secret in (old, new):
        assert Webhook(secret).verify(during.raw, during.headers)["id"] == during.webhook_id
    assert Webhook(new).verify(after.raw, after.headers)["id"] == after.webhook_id
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.raw, after.headers)
    assert [len(d.headers["webhook-signature"].split()) for d in (during, after)] == [2, 1]


def test_secrets_cannot_be_read_from_the_raw_database(goals: Goals, delivery: WebhookDelivery) -> None:
    made = delivery.store.create("http://127.0.0.1:9/", [], "svc-1", 0)
    _, rotated = delivery.store.rotate_secret(made.id)
    with goals.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM webhook_subscriptions")).all()
    raw = " ".join(str(value) for row in rows for value in row)
    for secret in (made.secret, rotated):
        assert secret not in raw and secret.removeprefix("whsec_") not in raw
    other_key = SubscriptionStore(goals.engine, SETTINGS, box=SecretBox(b"x" * 32))
    with pytest.raises(ValueError, match="does not open"):
        other_key.get(made.id)


def test_a_plain_text_secret_of_an_older_store_is_sealed_on_start(goals: Goals) -> None:
    store = SubscriptionStore(goals.engine, SETTINGS, box=SecretBox(b"k" * 32))
    made = store.create("http://127.0.0.1:9/", [], "svc-1", 0)
    with goals.engine.begin() as connection:
        connection.execute(text("UPDATE webhook_subscriptions SET secret = :s"), {"s": made.secret})
    reopened = SubscriptionStore(goals.engine, SETTINGS, box=SecretBox(b"k" * 32))
    assert reopened.get(made.id).secret == made.secret
    with goals.engine.connect() as connection:
        assert connection.execute(text("SELECT secret FROM webhook_subscriptions")).scalar_one().startswith("v1:")


OLD_TABLE = """CREATE TABLE webhook_subscriptions (
    id VARCHAR(36) PRIMARY KEY, url TEXT NOT NULL, types TEXT NOT NULL, secret VARCHAR(100) NOT NULL,
    status VARCHAR(10) NOT NULL, position BIGINT NOT NULL, failures INTEGER NOT NULL, delivered INTEGER NOT NULL,
    last_error TEXT, last_attempt_at FLOAT, next_attempt_at FLOAT NOT NULL, lease_owner VARCHAR(64),
    lease_until FLOAT NOT NULL, created_by VARCHAR(200) NOT NULL, created_at FLOAT NOT NULL)"""


def test_a_subscriptions_table_made_before_adr_0018_is_upgraded_in_place(goals: Goals) -> None:
    secret = "whsec_" + "A" * 43 + "="
    with goals.engine.begin() as connection:
        connection.execute(text(OLD_TABLE))
        connection.execute(text(
            "INSERT INTO webhook_subscriptions VALUES ('s-1', 'http://127.0.0.1:9/', '[]', :secret, 'active', 3, 0, "
            "3, NULL, NULL, 0, NULL, 0, 'svc-1', 1.0)"), {"secret": secret})
    store = SubscriptionStore(goals.engine, SETTINGS, box=SecretBox(b"k" * 32))
    old = store.get("s-1", owner="svc-1")
    assert (old.secret, old.position, old.on_failure, old.filter) == (secret, 3, "pause", EventFilter())
    rotated, _ = store.rotate_secret("s-1", owner="svc-1")  # a sealed secret is longer than the old column allowed
    assert rotated.signing_secrets[1] == secret


def test_the_new_settings_come_from_the_environment_and_bad_values_are_named() -> None:
    from application.store.settings import SettingsError

    parsed = WebhookSettings.from_env({"GOALENGINE_WEBHOOK_SECRET_OVERLAP": "60",
                                       "GOALENGINE_WEBHOOK_SECRETS_KEY_FILE": "/etc/goalengine/webhooks.key"})
    assert (parsed.secret_overlap, parsed.secrets_key_file) == (60.0, "/etc/goalengine/webhooks.key")
    with pytest.raises(SettingsError, match="GOALENGINE_WEBHOOK_SECRET_OVERLAP"):
        WebhookSettings.from_env({"GOALENGINE_WEBHOOK_SECRET_OVERLAP": "-1"})


def test_the_master_key_file_is_made_on_first_use_and_a_bad_one_is_refused_by_name(tmp_path: Path) -> None:
    from application.store.settings import SettingsError

    key_file = tmp_path / "var" / "webhook-secrets.key"
    box = SecretBox.from_file(str(key_file))
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32 and oct(key_file.stat().st_mode)[-3:] == "600"
    assert SecretBox.from_file(str(key_file)).open(box.seal("whsec_x", "s-1"), "s-1") == "whsec_x"
    key_file.write_text("not hex\n")
    with pytest.raises(SettingsError, match="GOALENGINE_WEBHOOK_SECRETS_KEY_FILE"):
        SecretBox.from_file(str(key_file))

"""Webhooks reach a real receiver at least once, in log order, signed; failures back off, then pause."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from application.events.cloudevents import to_cloudevent
from application.goals.service import Goals
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery
from application.webhooks.subscriptions import ACTIVE, PAUSED, Subscription
from api.bootstrap import notifier_for
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms
from tests.webhook_receiver import Receiver

FAST = WebhookSettings(allow_private=True, backoff_base=0.001, backoff_cap=0.002, timeout=5, poll_interval=0.01)


@pytest.fixture
def delivery(goals: Goals) -> Iterator[WebhookDelivery]:
    worker = WebhookDelivery(goals, FAST, worker_id="test-worker")
    yield worker
    worker.close()


def subscribe(delivery: WebhookDelivery, receiver: Receiver, types: list[str] | None = None) -> Subscription:
    subscription = delivery.store.create(receiver.url, types or [], created_by="svc-1", after=0)
    receiver.secret = subscription.secret
    return subscription


def deliver_until(delivery: WebhookDelivery, receiver: Receiver, subscription_id: str, position: int) -> None:
    receiver.wait_for(lambda: delivery.store.get(subscription_id).position >= position, step=delivery.run_once)


def life(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    for day in (1, 2):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15 + day), observed_at=date(2026, 2, day))


def test_every_event_arrives_in_order_signed_even_when_the_first_tries_fail(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    life(goals, clock)
    expected = [to_cloudevent(e.event, e.position) for e in goals.log_events()]
    with Receiver(fail_first=3) as receiver:
        subscription = subscribe(delivery, receiver)
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    assert receiver.bad_signatures == []
    assert [d.body for d in receiver.accepted()] == expected
    attempts = receiver.deliveries
    assert [d.status for d in attempts[:3]] == [503, 503, 503]
    assert {d.webhook_id for d in attempts[:4]} == {expected[0]["id"]}  # the retries of one event share its id
    assert all(d.webhook_id == d.body["id"] for d in attempts)
    assert delivery.store.get(subscription.id).delivered == len(expected)


def test_the_position_moves_only_after_a_2xx(goals: Goals, clock: Clock, delivery: WebhookDelivery) -> None:
    life(goals, clock)
    with Receiver(fail_first=1) as receiver:
        subscription = subscribe(delivery, receiver)
        delivery.serve(subscription)
        failed = delivery.store.get(subscription.id)
        assert (failed.position, failed.failures, failed.status) == (0, 1, ACTIVE)
        assert failed.last_error is not None and failed.last_error.startswith("HTTP 503")
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    done = delivery.store.get(subscription.id)
    assert (done.failures, done.last_error) == (0, None)


def test_after_too_many_failures_the_subscription_pauses_and_resumes_by_hand(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    life(goals, clock)
    delivery.settings = delivery.store.settings = WebhookSettings(**{**vars(FAST), "max_attempts": 3})
    with Receiver(fail_first=3) as receiver:
        subscription = subscribe(delivery, receiver)
        receiver.wait_for(lambda: delivery.store.get(subscription.id).status == PAUSED, step=delivery.run_once)
        paused = delivery.store.get(subscription.id)
        assert (paused.failures, paused.position, receiver.requests()) == (3, 0, 3)
        assert "HTTP 503" in (paused.public()["last_error"] or "")
        assert delivery.run_once() == 0 and receiver.requests() == 3  # a paused subscription gets nothing
        delivery.store.resume(subscription.id)
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    assert len(receiver.accepted()) == len(list(goals.log_events()))


def test_a_subscription_gets_only_its_types_and_passes_over_the_rest(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    life(goals, clock)
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver, ["goal.kpi_recorded.v1"])
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    assert [d.body["type"] for d in receiver.accepted()] == ["goal.kpi_recorded.v1"] * 2
    assert delivery.store.get(subscription.id).position == goals.head_position()


def test_a_target_that_now_resolves_to_a_private_address_is_not_sent_anything(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    life(goals, clock)
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver)  # made while private targets were allowed
        delivery.settings = WebhookSettings(**{**vars(FAST), "allow_private": False})
        delivery.serve(subscription)
    assert receiver.requests() == 0
    assert (delivery.store.get(subscription.id).last_error or "").startswith("webhook_url_not_public")


def test_only_one_worker_at_a_time_delivers_to_a_subscription(goals: Goals, delivery: WebhookDelivery) -> None:
    subscription = delivery.store.create("http://127.0.0.1:9/", [], created_by="svc-1", after=0)
    other = WebhookDelivery(goals, FAST, worker_id="other-worker")
    try:
        assert delivery.store.claim(subscription.id, "test-worker")
        assert not other.store.claim(subscription.id, "other-worker")
        assert other.serve(subscription) == 0
        delivery.store.release(subscription.id, "test-worker")
        assert other.store.claim(subscription.id, "other-worker")
    finally:
        other.close()


def test_retries_back_off_exponentially_up_to_the_cap() -> None:
    settings = WebhookSettings(backoff_base=1, backoff_cap=30)
    assert [settings.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_subscription_to_overdue_readings_gets_the_notice_once(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    life(goals, clock)  # tickets read on 2 February: due again by the 9th
    clock.current = date(2026, 2, 12)
    for _restart in range(2):
        notifier_for(goals).step()
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver, ["goal.reading_overdue.v1"])
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    notices = [d.body for d in receiver.accepted()]
    # The readings were stored after their due days (real timestamps, earlier business dates): as each was stored,
    # the next was already overdue. Each due day is announced once, in log order, whatever the restarts.
    assert [(n["type"], n["data"]["kpi"], n["data"]["due_by"]) for n in notices] == [
        ("goal.reading_overdue.v1", "tickets", "2026-02-08"), ("goal.reading_overdue.v1", "tickets", "2026-02-09")]
    assert [n["position"] for n in notices] == sorted(n["position"] for n in notices)

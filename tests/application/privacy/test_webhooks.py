"""Webhooks carry the erasure notice, and a redelivery after the erasure carries the marker, not the text."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED
from application.webhooks.delivery import WebhookDelivery
from tests.application.privacy.support import TEXTS, texts_of, employee_with_history
from tests.application.test_webhook_delivery import FAST, deliver_until, subscribe
from tests.conftest import Clock
from tests.scenarios import HR
from tests.webhook_receiver import Receiver


@pytest.fixture
def delivery(goals: Goals) -> Iterator[WebhookDelivery]:
    worker = WebhookDelivery(goals, FAST, worker_id="privacy-worker")
    yield worker
    worker.close()


def test_subscribers_get_the_notice_and_only_the_marker_after_it(
    goals: Goals, clock: Clock, delivery: WebhookDelivery
) -> None:
    employee_with_history(goals, clock)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    with Receiver() as receiver:
        subscription = subscribe(delivery, receiver)
        deliver_until(delivery, receiver, subscription.id, goals.head_position())
    bodies = [d.body for d in receiver.accepted()]
    assert bodies[-1]["type"] == "person.erased.v1" and bodies[-1]["data"]["person_id"] == "emp-1"
    text = json.dumps(bodies)
    assert [name for name, value in texts_of("emp-1").items() if value in text] == [] and ERASED in text
    assert TEXTS["summary"] in text  # the manager wrote it (ADR 0051): erasing emp-1 leaves it

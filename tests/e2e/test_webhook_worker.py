"""`goalengine webhooks run` killed mid-delivery and restarted loses nothing; SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from application.events.cloudevents import to_cloudevent
from application.goals.service import Goals
from application.webhooks.config import WebhookSettings
from application.webhooks.subscriptions import SubscriptionStore
from tests.conftest import AUDIT_KEY, Clock
from tests.lifecycles import WHOLE_LIFE_EVENTS, whole_life
from tests.scenarios import SETUP_EVENTS
from tests.webhook_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def start_worker(goals: Goals, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "GOALENGINE_DATABASE_URL": goals.settings.database_url,
        "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode(),
        "GOALENGINE_SECRET": "unused-by-the-worker",
        "GOALENGINE_WEBHOOK_ALLOW_PRIVATE": "true",
        "GOALENGINE_WEBHOOK_BACKOFF_BASE": "0.01",
        "GOALENGINE_WEBHOOK_BACKOFF_CAP": "0.05",
        "GOALENGINE_WEBHOOK_POLL_INTERVAL": "0.05",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli", "webhooks", "run", "--worker-id", "worker-1"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )


def test_a_worker_killed_mid_delivery_and_restarted_loses_nothing(
    goals: Goals, clock: Clock, tmp_path: Path
) -> None:
    whole_life(goals, clock)
    expected = [to_cloudevent(e.event, e.position) for e in goals.log_events()]
    store = SubscriptionStore(goals.engine, WebhookSettings(allow_private=True))
    # Requests 1-2 fail (503); request 7 (the 5th event, after the test cycles' three) is held open until the
    # worker has been killed.
    with Receiver(fail_first=2, hold_at=7) as receiver:
        subscription = store.create(receiver.url, [], created_by="svc-1", after=0)
        receiver.secret = subscription.secret
        log = tmp_path / "worker.log"
        worker = start_worker(goals, log)
        try:
            receiver.wait_for(receiver.holding.is_set)
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(10) == -signal.SIGKILL
        finally:
            worker.kill()
        receiver.release.set()
        assert store.get(subscription.id).position == 4  # the held event got no 2xx, so it was not booked
        restarted = start_worker(goals, log)
        try:
            receiver.wait_for(lambda: store.get(subscription.id).position == goals.head_position())
            restarted.send_signal(signal.SIGTERM)
            assert restarted.wait(15) == 0, log.read_text()
        finally:
            restarted.kill()
    accepted = receiver.accepted()
    assert receiver.bad_signatures == []
    first_arrivals = list({d.webhook_id: d.body for d in accepted}.values())
    assert first_arrivals == expected and len(expected) == SETUP_EVENTS + WHOLE_LIFE_EVENTS  # all, in order
    assert len(accepted) == SETUP_EVENTS + WHOLE_LIFE_EVENTS + 1  # the one held at the kill came twice ...
    duplicate = accepted[4]
    assert [d for d in accepted if d.webhook_id == duplicate.webhook_id] == [duplicate, duplicate]  # ... alike
    assert "stopped" in log.read_text()

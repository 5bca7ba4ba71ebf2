"""Webhook subscriptions over HTTP: made by hr or a service, the secret shown once, private targets refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from domain.values import Actor, Role
from tests.scenarios import (
    SETUP_EVENTS,
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    customer_service_terms,
    draft,
)

Auth = Callable[[Actor], dict[str, str]]
SERVICE = Actor("payroll", Role.SERVICE)
PUBLIC_URL = "http://93.184.215.14/hooks"  # an address literal: no name lookup needed


def allow_private(app: FastAPI, allowed: bool) -> None:
    store = app.state.subscriptions
    store.settings = replace(store.settings, allow_private=allowed)


def test_a_service_subscribes_and_gets_the_secret_only_once(client: TestClient, auth: Auth, app: FastAPI) -> None:
    draft(app.state.goals, customer_service_terms())
    made = client.post("/subscriptions", json={"url": PUBLIC_URL, "types": ["goal.closed.v1"]}, headers=auth(SERVICE))
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (body["status"], body["position"], body["types"], body["created_by"]) == (
        "active", SETUP_EVENTS + 1, ["goal.closed.v1"], "payroll")  # starts at the head: the cycles', the draft
    assert made.headers["Location"] == f"/subscriptions/{body['id']}"
    shown = client.get(f"/subscriptions/{body['id']}", headers=auth(SERVICE)).json()
    assert "secret" not in shown and shown["last_error"] is None and shown["failures"] == 0
    assert client.delete(f"/subscriptions/{body['id']}", headers=auth(SERVICE)).status_code == 204
    gone = client.get(f"/subscriptions/{body['id']}", headers=auth(SERVICE))
    assert gone.status_code == 404 and gone.json()["code"] == "subscription_not_found"
    assert client.delete(f"/subscriptions/{body['id']}", headers=auth(SERVICE)).status_code == 404


def test_a_subscription_may_start_from_the_beginning_of_the_log(client: TestClient, auth: Auth, app: FastAPI) -> None:
    draft(app.state.goals, customer_service_terms())
    made = client.post("/subscriptions", json={"url": PUBLIC_URL, "after": 0}, headers=auth(HR)).json()
    assert (made["position"], made["types"]) == (0, [])


REFUSED = [
    ("http://127.0.0.1:8080/hook", "webhook_url_not_public"),
    ("http://localhost/hook", "webhook_url_not_public"),
    ("http://10.0.0.5/hook", "webhook_url_not_public"),
    ("http://192.168.1.10/hook", "webhook_url_not_public"),
    ("http://169.254.169.254/latest/meta-data", "webhook_url_not_public"),
    ("http://[::1]/hook", "webhook_url_not_public"),
    ("http://[::ffff:10.0.0.1]/hook", "webhook_url_not_public"),
    ("http://0.0.0.0/hook", "webhook_url_not_public"),
    ("http://224.0.0.1/hook", "webhook_url_not_public"),
    ("ftp://93.184.215.14/hook", "webhook_url_scheme"),
    ("file:///etc/passwd", "webhook_url_scheme"),
    ("http://user:pw@93.184.215.14/", "webhook_url_invalid"),
    ("https://no-such-host.invalid/hook", "webhook_url_unresolvable"),
]


def test_targets_off_the_public_internet_are_refused(client: TestClient, auth: Auth, app: FastAPI) -> None:
    allow_private(app, False)
    for url, code in REFUSED:
        refused = client.post("/subscriptions", json={"url": url}, headers=auth(HR))
        assert refused.status_code == 422 and refused.json()["code"] == code, (url, refused.text)
        if code == "webhook_url_not_public":  # the detail says which address it was and how to allow it
            assert "GOALENGINE_WEBHOOK_ALLOW_PRIVATE" in refused.json()["detail"]
    assert app.state.subscriptions.due() == []  # nothing was stored


def test_private_targets_pass_when_allowed(client: TestClient, auth: Auth, app: FastAPI) -> None:
    allow_private(app, True)
    made = client.post("/subscriptions", json={"url": "http://127.0.0.1:8080/hook"}, headers=auth(HR))
    assert made.status_code == 201


def test_unknown_types_and_bad_bodies_are_refused(client: TestClient, auth: Auth) -> None:
    unknown = client.post("/subscriptions", json={"url": PUBLIC_URL, "types": ["goal.kpi_recorded.v9"]},
                          headers=auth(HR))
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_event_type"
    assert client.post("/subscriptions", json={"types": []}, headers=auth(HR)).status_code == 422
    assert client.post("/subscriptions", json={"url": PUBLIC_URL, "after": -1}, headers=auth(HR)).status_code == 422


@pytest.mark.parametrize("actor", [EMPLOYEE, MANAGER, AUDITOR])
def test_only_hr_and_services_manage_subscriptions(client: TestClient, auth: Auth, actor: Actor) -> None:
    made = client.post("/subscriptions", json={"url": PUBLIC_URL}, headers=auth(HR)).json()
    for method, path in (("POST", "/subscriptions"), ("GET", f"/subscriptions/{made['id']}"),
                         ("DELETE", f"/subscriptions/{made['id']}"), ("POST", f"/subscriptions/{made['id']}/resume")):
        answer = client.request(method, path, json={"url": PUBLIC_URL}, headers=auth(actor))
        assert answer.status_code == 403 and answer.json()["code"] == "role_not_allowed"
    assert client.post("/subscriptions", json={"url": PUBLIC_URL}).status_code == 401


def test_a_paused_subscription_is_resumed_by_hand(client: TestClient, auth: Auth, app: FastAPI) -> None:
    made = client.post("/subscriptions", json={"url": PUBLIC_URL}, headers=auth(SERVICE)).json()
    store = app.state.subscriptions
    subscription = store.get(made["id"])
    assert store.claim(subscription.id, "w")
    for _ in range(store.settings.max_attempts):
        store.failed(subscription, "w", "HTTP 500: boom")
        subscription = store.get(made["id"])
    paused = client.get(f"/subscriptions/{made['id']}", headers=auth(SERVICE)).json()
    assert (paused["status"], paused["failures"], paused["last_error"]) == ("paused", 8, "HTTP 500: boom")
    resumed = client.post(f"/subscriptions/{made['id']}/resume", headers=auth(SERVICE)).json()
    assert (resumed["status"], resumed["failures"], resumed["last_error"]) == ("active", 0, "HTTP 500: boom")
    assert client.post("/subscriptions/nope/resume", headers=auth(SERVICE)).status_code == 404

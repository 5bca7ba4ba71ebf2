"""A subscription belongs to the caller who made it: everyone else gets 404 on every endpoint; hr may list them all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from application.webhooks.parking import EventRef
from domain.values import Actor, Role
from tests.api.module_app import STORES, Api, module_api
from tests.scenarios import HR, customer_service_terms, draft

PAYROLL = Actor("payroll", Role.SERVICE)
HRIS = Actor("hris", Role.SERVICE)
PUBLIC_URL = "http://93.184.215.14/hooks"


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from module_api(request.param, tmp_path_factory)


def subscribe(api: Api, actor: Actor, **body: Any) -> dict[str, Any]:
    made = api.client.post("/subscriptions", json={"url": PUBLIC_URL, **body}, headers=api.as_(actor))
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def every_endpoint(subscription_id: str, event_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/subscriptions/{subscription_id}"
    return [
        ("GET", base, None), ("POST", f"{base}/resume", None), ("POST", f"{base}/position", {"after": 0}),
        ("POST", f"{base}/secret", None), ("GET", f"{base}/parked", None),
        ("POST", f"{base}/parked/{event_id}/redelivery", None), ("DELETE", base, None),
    ]


def park_one(api: Api, subscription_id: str) -> str:
    """Park the first event of the log on the subscription, as the worker would after its last try."""
    store = api.client.app.state.subscriptions  # type: ignore[attr-defined]
    subscription = store.get(subscription_id)
    event = next(api.goals.log_events())
    event_id = f"{event.event.originator_id}:{event.event.originator_version}"
    assert store.claim(subscription_id, "w")
    short = replace(store.settings, max_attempts=1)
    store.settings, saved = short, store.settings
    try:
        assert store.failed(subscription, "w", "HTTP 500: boom", EventRef(event.position, event_id, "goal.drafted.v1"))
    finally:
        store.settings = saved
        store.release(subscription_id, "w")
    return event_id


def test_another_caller_gets_404_on_every_endpoint_and_changes_nothing(api: Api) -> None:
    draft(api.goals, customer_service_terms())
    mine = subscribe(api, PAYROLL, after=0, on_failure="park")
    event_id = park_one(api, mine["id"])
    for intruder in (HRIS, HR):
        for method, path, body in every_endpoint(mine["id"], event_id):
            answer = api.client.request(method, path, json=body, headers=api.as_(intruder))
            assert answer.status_code == 404, (intruder, method, path, answer.text)
            assert answer.json()["code"] == "subscription_not_found"
    owner = api.as_(PAYROLL)
    still = api.client.get(f"/subscriptions/{mine['id']}", headers=owner).json()
    changed_by_parking = {"position": 1, "last_error": "HTTP 500: boom", "last_attempt_at": still["last_attempt_at"]}
    assert still == {**{k: v for k, v in mine.items() if k != "secret"}, **changed_by_parking}
    for method, path, body in every_endpoint(mine["id"], event_id):
        answer = api.client.request(method, path, json=body, headers=owner)
        assert answer.status_code in (200, 202, 204), (method, path, answer.text)


def test_each_caller_lists_its_own_and_hr_may_list_everyones(api: Api) -> None:
    payroll = [subscribe(api, PAYROLL)["id"] for _ in range(2)]
    hris = subscribe(api, HRIS)["id"]
    hr = subscribe(api, HR)["id"]

    def listed(actor: Actor, **params: str) -> list[str]:
        answer = api.client.get("/subscriptions", params=params, headers=api.as_(actor))
        assert answer.status_code == 200, answer.text
        assert all("secret" not in item for item in answer.json()["items"])
        return [item["id"] for item in answer.json()["items"]]

    assert set(payroll) <= set(listed(PAYROLL)) and hris not in listed(PAYROLL) and hr not in listed(PAYROLL)
    assert listed(HRIS) == [hris]
    assert set(listed(HR)) == {hr}
    assert {*payroll, hris, hr} <= set(listed(HR, all="true"))
    refused = api.client.get("/subscriptions", params={"all": "true"}, headers=api.as_(PAYROLL))
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"


def test_a_rewind_past_the_head_or_a_bad_filter_is_refused_and_nothing_changes(api: Api) -> None:
    made = subscribe(api, PAYROLL)
    owner = api.as_(PAYROLL)
    beyond = api.client.post(f"/subscriptions/{made['id']}/position", json={"after": api.head() + 1}, headers=owner)
    assert beyond.status_code == 422 and beyond.json()["code"] == "position_beyond_head"
    for body in ({"after": -1}, {}, {"after": "x"}):
        answer = api.client.post(f"/subscriptions/{made['id']}/position", json=body, headers=owner)
        assert answer.status_code == 422, body
    assert api.client.get(f"/subscriptions/{made['id']}", headers=owner).json()["position"] == made["position"]
    bad_subject = api.client.post("/subscriptions", json={"url": PUBLIC_URL, "subjects": ["nope"]}, headers=owner)
    assert bad_subject.status_code == 422 and bad_subject.json()["code"] == "invalid_event_filter"
    assert "nope" in bad_subject.json()["detail"]
    bad_policy = api.client.post("/subscriptions", json={"url": PUBLIC_URL, "on_failure": "drop"}, headers=owner)
    assert bad_policy.status_code == 422
    unknown = api.client.post(f"/subscriptions/{made['id']}/parked/x:1/redelivery", headers=owner)
    assert unknown.status_code == 404 and unknown.json()["code"] == "parked_event_not_found"


def test_a_rotated_secret_is_shown_once_and_the_subscription_tells_until_when_the_old_one_signs(api: Api) -> None:
    made = subscribe(api, PAYROLL)
    rotated = api.client.post(f"/subscriptions/{made['id']}/secret", headers=api.as_(PAYROLL))
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != made["secret"]
    assert body["previous_secret_until"] is not None and body["secret_rotated_at"] is not None
    shown = api.client.get(f"/subscriptions/{made['id']}", headers=api.as_(PAYROLL)).json()
    assert "secret" not in shown and shown["previous_secret_until"] == body["previous_secret_until"]

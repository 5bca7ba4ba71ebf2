"""Per-caller limits: writes beyond the rate and streams beyond the count get 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.types import Message, Receive, Scope, Send

from api.auth import issue_token
from api.guards.config import GuardSettings
from api.guards.rate import RateLimits, TokenBuckets
from application.store.settings import SettingsError
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES
from tests.scenarios import EMPLOYEE, HR, MANAGER
from tests.security.conftest import Api, guarded_api

TIGHT = GuardSettings(writes_per_minute=3, streams_per_caller=1)


@pytest.fixture(scope="module", params=STORES)
def tight(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from guarded_api(request.param, tmp_path_factory, TIGHT)


def test_writes_beyond_the_rate_get_429_with_retry_after_and_other_callers_are_not_affected(tight: Api) -> None:
    answers = [tight.client.post("/goals", json={}, headers=tight.as_(EMPLOYEE)).status_code for _ in range(4)]
    assert answers == [422, 422, 422, 429]
    refused = tight.client.post("/goals", json={}, headers=tight.as_(EMPLOYEE))
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    assert tight.client.post("/goals", json={}, headers=tight.as_(MANAGER)).status_code == 422
    assert tight.client.get("/health").status_code == 200  # reads are not counted


def test_a_second_open_stream_of_the_same_caller_gets_429_until_the_first_ends() -> None:
    release = anyio.Event()

    async def endless_stream(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await release.wait()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    limits = RateLimits(endless_stream, secret=lambda: API_SECRET, writes_per_minute=10, streams_per_caller=1)
    token = issue_token(API_SECRET, HR.id, HR.role)

    async def call(sub_token: str) -> list[Message]:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        scope = {"type": "http", "method": "GET", "path": "/events/stream", "client": ("10.0.0.1", 1),
                 "headers": [(b"authorization", f"Bearer {sub_token}".encode())]}
        await limits(scope, receive, send)
        return sent

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(call, token)
            await anyio.wait_all_tasks_blocked()
            refused = await call(token)
            assert refused[0]["status"] == 429 and (b"retry-after", b"5") in refused[0]["headers"]
            other = issue_token(API_SECRET, "hr-8", HR.role)
            group.start_soon(call, other)  # another caller has streams of its own
            await anyio.wait_all_tasks_blocked()
            assert len(limits.streams) == 2
            release.set()
        assert limits.streams == {}
        release_again = await call(token)  # the first stream ended: the caller may open one again
        assert release_again[0]["status"] == 200

    anyio.run(scenario)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(st.integers(1, 600), st.integers(0, 2000))
def test_a_bucket_lets_through_its_burst_then_refills_at_its_rate(per_minute: int, extra: int) -> None:
    clock = FakeClock()
    buckets = TokenBuckets(per_minute, clock)
    assert all(buckets.take("c") == 0 for _ in range(per_minute))
    wait = buckets.take("c")
    assert wait == pytest.approx(60 / per_minute)
    clock.now += wait
    assert buckets.take("c") == 0
    assert buckets.take("other") == 0


def test_the_stream_cap_is_one_setting_and_its_former_name_still_sets_it() -> None:
    assert GuardSettings.from_env({"GOALENGINE_STREAMS_PER_CALLER": "3"}).streams_per_caller == 3
    assert GuardSettings.from_env({"GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER": "7"}).streams_per_caller == 7
    both = {"GOALENGINE_STREAMS_PER_CALLER": "3", "GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER": "7"}
    assert GuardSettings.from_env(both).streams_per_caller == 3
    with pytest.raises(SettingsError, match="GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER"):
        GuardSettings.from_env({"GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER": "none"})

"""SSRF: a delivery goes to the address that was checked, re-checked every time; refusals and errors leak nothing."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.goals.service import Goals
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery
from application.webhooks.subscriptions import SubscriptionStore
from application.webhooks.targets import WebhookTargetError, check_target, forbidden_reason, pin_target
from tests.scenarios import agreed, customer_service_terms

PUBLIC = "93.184.215.14"
STRICT = WebhookSettings(allow_private=False, backoff_base=0.001, backoff_cap=0.002, timeout=5)


class RebindingResolver:
    """A resolver double (no network): answers a public address, then loopback, then public again, and so on."""

    def __init__(self, *answers: str) -> None:
        self.answers, self.calls = answers, 0

    def __call__(self, _host: str, _port: int) -> list[str]:
        self.calls += 1
        return [self.answers[(self.calls - 1) % len(self.answers)]]


@pytest.fixture
def sent() -> list[httpx.Request]:
    return []


@pytest.fixture
def delivery(goals: Goals, sent: list[httpx.Request]) -> Iterator[WebhookDelivery]:
    resolver = RebindingResolver(PUBLIC, "127.0.0.1")
    worker = WebhookDelivery(goals, STRICT, worker_id="ssrf-test", resolver=resolver)
    worker.client = httpx.Client(
        transport=httpx.MockTransport(lambda request: (sent.append(request), httpx.Response(204))[1])
    )
    yield worker
    worker.close()


def test_a_rebinding_name_never_makes_a_delivery_reach_loopback(goals: Goals, delivery: WebhookDelivery,
                                                                sent: list[httpx.Request]) -> None:
    agreed(goals, customer_service_terms())
    store = SubscriptionStore(goals.engine, WebhookSettings(allow_private=True))  # made unresolved; checked on delivery
    subscription = store.create("https://hooks.example.com/in", [], created_by="svc-1", after=0)
    errors = []
    for _ in range(6):
        delivery.serve(delivery.store.get(subscription.id))
        errors.append(delivery.store.get(subscription.id).last_error or "")
    assert sent, "the public answers were delivered to"
    assert {request.url.host for request in sent} == {PUBLIC}
    assert {request.headers["host"] for request in sent} == {"hooks.example.com"}
    assert all(request.extensions["sni_hostname"] == "hooks.example.com" for request in sent)
    refused = [error for error in errors if error.startswith("webhook_url_not_public")]
    assert refused, errors  # the loopback answers were refused, not sent
    assert not any("127.0.0.1" in error for error in errors)


def test_the_body_of_a_failing_receiver_never_reaches_last_error(goals: Goals) -> None:
    class Leaky(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"internal admin page: db password hunter2")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Leaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    worker = WebhookDelivery(goals, WebhookSettings(allow_private=True, timeout=5), worker_id="leak-test")
    try:
        agreed(goals, customer_service_terms())
        url = f"http://127.0.0.1:{server.server_address[1]}/x"
        subscription = worker.store.create(url, [], created_by="svc-1", after=0)
        worker.serve(subscription)
        assert worker.store.get(subscription.id).last_error == "HTTP 500: the receiver could not take the event now"
    finally:
        worker.close()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("address", ["2002:7f00:1::", "2002:a00:1::", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
                                     "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::7f00:1", "64:ff9b:1::5db8:d70e",
                                     "2001:0:4136:e378:8000:63bf:80ff:fffe"])
def test_ipv6_forms_carrying_a_private_ipv4_are_refused(address: str) -> None:
    with pytest.raises(WebhookTargetError) as refused:
        check_target(f"http://[{address}]/hook")
    assert refused.value.code == "webhook_url_not_public"
    with pytest.raises(WebhookTargetError):
        check_target("https://hooks.example.com/x", resolver=lambda _h, _p: [address])


@given(st.ip_addresses(v=4))
def test_every_6to4_and_mapped_form_is_judged_like_its_ipv4_address(inner: ipaddress.IPv4Address) -> None:
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(inner) << 80))
    mapped = ipaddress.IPv6Address(f"::ffff:{inner}")
    if forbidden_reason(inner) is not None:
        assert forbidden_reason(sixtofour) is not None
        assert forbidden_reason(mapped) is not None


def test_a_refusal_does_not_say_what_a_name_resolves_to() -> None:
    with pytest.raises(WebhookTargetError) as refused:
        check_target("https://hooks.example.com/x", resolver=lambda _h, _p: [PUBLIC, "10.1.2.3"])
    assert "10.1.2.3" not in refused.value.message and PUBLIC not in refused.value.message
    with pytest.raises(WebhookTargetError) as unresolvable:
        check_target("https://nowhere.example/x", resolver=lambda _h, _p: (_ for _ in ()).throw(OSError("10.9.9.9")))
    assert "10.9.9.9" not in unresolvable.value.message


@pytest.mark.parametrize("url", ["http://a\x00b/x", "http://hooks.example.com/a b", "http://hooks.example.com/\x7f"])
def test_a_url_with_spaces_or_control_characters_is_refused_even_when_private_targets_are_allowed(url: str) -> None:
    with pytest.raises(WebhookTargetError) as refused:
        check_target(url, allow_private=True)
    assert refused.value.code == "webhook_url_invalid"


def test_a_pinned_target_keeps_the_name_for_host_and_tls() -> None:
    target = pin_target("https://hooks.example.com:8443/in?x=1", resolver=lambda _h, _p: ["2606:2800:21f::1"])
    assert target.connect_url == "https://[2606:2800:21f::1]:8443/in?x=1"
    assert (target.host_header, target.extensions) == ("hooks.example.com:8443", {"sni_hostname": "hooks.example.com"})

"""Webhook targets must be public http(s) URLs; the settings refuse values that cannot work."""

from __future__ import annotations

import pytest

from application.store.settings import SettingsError
from application.webhooks.config import WebhookSettings
from application.webhooks.targets import WebhookTargetError, check_target


def resolver_of(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda _host, _port: list(addresses)


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    with pytest.raises(WebhookTargetError, match="resolves to a non-public address") as refused:
        check_target("https://hooks.example.com/x", resolver=resolver_of("93.184.215.14", "10.0.0.7"))
    assert refused.value.code == "webhook_url_not_public"


@pytest.mark.parametrize(
    ("address", "reason"),
    [("127.0.0.2", "loopback"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
     ("100.64.0.1", "non-public"), ("240.0.0.1", "reserved"), ("::", "unspecified"), ("fd00::1", "private")],
)
def test_each_kind_of_non_public_address_is_refused_and_named_only_for_a_literal(address: str, reason: str) -> None:
    with pytest.raises(WebhookTargetError, match="resolves to a non-public address") as refused:
        check_target("https://hooks.example.com/x", resolver=resolver_of(address))
    assert address not in refused.value.message
    literal = f"[{address}]" if ":" in address else address
    with pytest.raises(WebhookTargetError, match=f"is a {reason} address"):
        check_target(f"https://{literal}/x")


def test_public_names_pass_and_private_ones_pass_when_allowed() -> None:
    public = resolver_of("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert check_target("https://hooks.example.com/x", resolver=public) == "https://hooks.example.com/x"
    assert check_target("http://10.0.0.7:8080/x", allow_private=True) == "http://10.0.0.7:8080/x"


def test_webhook_settings_come_from_the_environment_and_bad_values_are_named() -> None:
    settings = WebhookSettings.from_env(
        {"GOALENGINE_WEBHOOKS_IN_PROCESS": "true", "GOALENGINE_WEBHOOK_MAX_ATTEMPTS": "3"}
    )
    assert (settings.in_process, settings.max_attempts, settings.allow_private) == (True, 3, False)
    for name, value in (("GOALENGINE_WEBHOOK_MAX_ATTEMPTS", "0"), ("GOALENGINE_WEBHOOK_ALLOW_PRIVATE", "maybe"),
                        ("GOALENGINE_WEBHOOK_LEASE_SECONDS", "5")):
        with pytest.raises(SettingsError, match=name):
            WebhookSettings.from_env({name: value})

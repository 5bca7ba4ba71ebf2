"""Which URLs a webhook may be sent to: a guard against server-side request forgery (ADR 0010).

A target must be http(s) and its host must resolve only to public addresses; loopback, private, link-local,
multicast, reserved and unspecified addresses are refused unless GOALENGINE_WEBHOOK_ALLOW_PRIVATE=true.
The check runs when a subscription is made and again before every delivery (the name may point elsewhere later).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class WebhookTargetError(ValueError):
    """A target URL that webhooks may not be sent to; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def forbidden_reason(address: Address) -> str | None:
    """Why an address is not a public one, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for reason in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{reason}"):
            return reason.replace("_", "-")
    # Shared (carrier-grade NAT), documentation and similar ranges are not "private" to Python, nor public.
    return None if address.is_global else "non-public"


def check_target(url: str, allow_private: bool = False, resolver: Resolver = resolve) -> str:
    """The URL, if webhooks may be sent there; WebhookTargetError otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise WebhookTargetError("webhook_url_invalid", f"the URL is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookTargetError("webhook_url_scheme", f"{url!r}: only http and https targets are allowed")
    if not parts.hostname:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r} names no host")
    if parts.username or parts.password:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r}: credentials in the URL are not allowed")
    if allow_private:
        return url
    try:
        addresses = resolver(parts.hostname, port)
    except (OSError, UnicodeError) as error:
        raise WebhookTargetError(
            "webhook_url_unresolvable", f"the host {parts.hostname!r} does not resolve: {error}"
        ) from None
    for text in addresses:
        reason = forbidden_reason(ipaddress.ip_address(text.split("%")[0]))
        if reason:
            raise WebhookTargetError(
                "webhook_url_not_public",
                f"the host {parts.hostname!r} resolves to {text} ({reason} address); webhooks go to public "
                "addresses only (set GOALENGINE_WEBHOOK_ALLOW_PRIVATE=true to allow private networks)",
            )
    return url

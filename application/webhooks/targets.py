"""Which URLs a webhook may be sent to, and the exact address it goes to: a guard against SSRF (ADR 0010, 0020).

A target must be http(s) and its host must resolve only to public addresses; loopback, private, link-local,
multicast, reserved and unspecified addresses are refused, and so are the IPv6 forms that carry such an IPv4
address inside them (IPv4-mapped and -compatible, 6to4, Teredo, NAT64), unless GOALENGINE_WEBHOOK_ALLOW_PRIVATE=true.

The check runs when a subscription is made and again on every delivery, and a delivery connects to the very address
that was checked (`pin_target`), keeping the name in the Host header and the TLS server name: a name that answers a
public address to the check and a private one to the connection (DNS rebinding) cannot steer it. Refusals never say
what a name resolved to.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

MAX_URL_LENGTH = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
NOT_PUBLIC = ("webhooks go to public addresses only (set GOALENGINE_WEBHOOK_ALLOW_PRIVATE=true to allow private "
              "networks)")


class WebhookTargetError(ValueError):
    """A target URL that webhooks may not be sent to; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PinnedTarget:
    """A checked URL and the one address a delivery to it connects to."""

    url: str
    address: str

    @property
    def parts(self) -> SplitResult:
        return urlsplit(self.url)

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name."""
        parts = self.parts
        host = f"[{self.address}]" if ":" in self.address else self.address
        netloc = f"{host}:{parts.port}" if parts.port else host
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self) -> str:
        return self.parts.netloc

    @property
    def extensions(self) -> dict[str, Any]:
        """httpx request extensions: the name for TLS (SNI and certificate check), not the address."""
        return {"sni_hostname": self.parts.hostname} if self.parts.scheme == "https" else {}


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (an IP literal resolves to itself)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition form carries: mapped, compatible, 6to4, Teredo (client) or NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    packed = address.packed
    if any(address in network for network in NAT64) or (packed[:12] == bytes(12) and int(address) > 0xFFFF):
        return ipaddress.IPv4Address(packed[12:])
    return None


def forbidden_reason(address: Address) -> str | None:
    """Why an address is not a public one, or None."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            reason = forbidden_reason(inner)
            if reason:
                return f"{reason} (embedded in IPv6)"
        if any(address in network for network in NAT64[1:]):
            return "non-public"  # local-use NAT64 (RFC 8215) translates into private networks
    for reason in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(address, f"is_{reason}"):
            return reason.replace("_", "-")
    # Shared (carrier-grade NAT), documentation and similar ranges are not "private" to Python, nor public.
    return None if address.is_global else "non-public"


def check_target(url: str, allow_private: bool = False, resolver: Resolver = resolve) -> str:
    """The URL, if webhooks may be sent there; WebhookTargetError otherwise (private targets allowed: unresolved)."""
    if allow_private:
        _parts(url)
        return url
    return pin_target(url, allow_private, resolver).url


def pin_target(url: str, allow_private: bool = False, resolver: Resolver = resolve) -> PinnedTarget:
    """Check the URL and every address its host resolves to now; the target pinned to the first of them."""
    parts = _parts(url)
    host = parts.hostname or ""
    literal = _literal(host)
    try:
        addresses = [literal] if literal is not None else [ipaddress.ip_address(text.split("%")[0])
                                                           for text in resolver(host, _port(parts))]
    except (OSError, UnicodeError, ValueError):
        raise WebhookTargetError("webhook_url_unresolvable", f"the host {host!r} does not resolve") from None
    if not addresses:
        raise WebhookTargetError("webhook_url_unresolvable", f"the host {host!r} does not resolve")
    if not allow_private:
        for address in addresses:
            reason = forbidden_reason(address)
            if reason:
                # A name's addresses are not echoed (they would map the inside); a literal's kind is no secret.
                said = (f"{host!r} is a {reason} address" if literal
                        else f"the host {host!r} resolves to a non-public address")
                raise WebhookTargetError("webhook_url_not_public", f"{said}; {NOT_PUBLIC}")
    return PinnedTarget(url, str(addresses[0]))


def _parts(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise WebhookTargetError("webhook_url_invalid", f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ord(character) <= 0x20 or ord(character) == 0x7F for character in url):
        raise WebhookTargetError("webhook_url_invalid", "the URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        _port(parts)
    except ValueError as error:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookTargetError("webhook_url_scheme", f"{url!r}: only http and https targets are allowed")
    if not parts.hostname:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r} names no host")
    if parts.username or parts.password:
        raise WebhookTargetError("webhook_url_invalid", f"{url!r}: credentials in the URL are not allowed")
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


# What a failed delivery leaves in `last_error`: the status and a fixed reason, never the receiver's words.
def failure_for_status(status: int) -> str:
    if 300 <= status < 400:
        return f"HTTP {status}: redirects are not followed"
    if status in (408, 429) or status >= 500:
        return f"HTTP {status}: the receiver could not take the event now"
    return f"HTTP {status}: the receiver refused the event"


def failure_for_exception(error: Exception) -> str:
    kind = type(error).__name__
    reason = "timed out" if "Timeout" in kind else "could not connect or lost the connection"
    return f"{kind}: {reason}"

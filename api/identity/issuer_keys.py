"""The identity provider's signing keys (its JWKS): cached, and fetched again when a token names an unknown `kid`,
at most once a minute, so that a flood of tokens with made-up key ids cannot make us hammer the provider."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import jwt

REFETCH_INTERVAL = 60.0
ALGORITHMS = ("RS256", "ES256", "EdDSA")

JwksFetcher = Callable[[], dict[str, Any]]


class IssuerKeys:
    """The keys of one issuer, by key id; `fetch` answers the provider's JWKS document."""

    def __init__(self, fetch: JwksFetcher, clock: Callable[[], float] = time.monotonic,
                 interval: float = REFETCH_INTERVAL) -> None:
        self.fetch, self.clock, self.interval = fetch, clock, interval
        self.document: dict[str, Any] = {"keys": []}
        self.keys: dict[str | None, jwt.PyJWK] = {}
        self.fetched_at: float | None = None
        self.fetches = 0
        self.lock = threading.Lock()

    def key(self, kid: object, refetch: bool = True) -> jwt.PyJWK | None:
        """The key for `kid` (None: the only key there is); refetched once a minute at most when it is unknown."""
        if not isinstance(kid, str | None):
            return None
        with self.lock:
            found = self._lookup(kid)
            if found is None and refetch and self._may_fetch():
                self._load()
                found = self._lookup(kid)
            return found

    def jwks(self, force: bool = False) -> dict[str, Any]:
        """The JWKS document as last fetched (for Authlib's ID-token check), fetched again under the same limit."""
        with self.lock:
            if self.fetched_at is None or (force and self._may_fetch()):
                self._load()
            return self.document

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self.keys.values())) if len(self.keys) == 1 else None
        return self.keys.get(kid)

    def _may_fetch(self) -> bool:
        return self.fetched_at is None or self.clock() - self.fetched_at >= self.interval

    def _load(self) -> None:
        self.fetched_at = self.clock()
        self.fetches += 1
        document = self.fetch()
        keys: dict[str | None, jwt.PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except (jwt.PyJWTError, ValueError, TypeError, KeyError):
                continue  # a key of a kind we do not verify with (an encryption key, RSA-OAEP, ...)
            if key.algorithm_name in ALGORITHMS:
                keys[entry.get("kid") if isinstance(entry.get("kid"), str) else None] = key
        self.document, self.keys = document, keys

"""Every private part of uvicorn goalengine relies on, in one module, checked when it is imported (ADR 0031).

- `H11Protocol` (uvicorn.protocols.http.h11_impl), subclassed, and its `cycle`, `loop` and `transport` attributes
  and `connection_made` / `on_response_complete` hooks: a deadline for each request's headers, which uvicorn has
  not (its keep-alive timer stops at the first byte), so a client sending a byte every few seconds could hold a
  connection for ever. This protocol closes a connection whose request has not arrived in full within the header
  timeout, counted from the connection or from the end of the previous answer.

pyproject.toml bounds uvicorn below the next minor version.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from application.store.internals import require_attributes, require_in_source

LIBRARY = "uvicorn"


def check() -> None:
    """LibraryInternalsError unless H11Protocol still has the hooks and attributes used here."""
    require_attributes(LIBRARY, H11Protocol, ["connection_made", "on_response_complete"])
    require_in_source(LIBRARY, H11Protocol, ["self.cycle", "self.loop", "self.transport"])


class HeaderDeadlineProtocol(H11Protocol):
    header_timeout = 5.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        awaited = self.cycle  # a new request replaces the cycle; if it has not by the deadline, give up
        self.loop.call_later(self.header_timeout, self._header_deadline_passed, awaited)

    def _header_deadline_passed(self, awaited: Any) -> None:
        if self.cycle is awaited and not self.transport.is_closing():
            self.transport.close()


check()

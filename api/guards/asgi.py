"""Plain ASGI helpers for the guards: answering a problem before the app runs, and replaying a body read early."""

from __future__ import annotations

from typing import Any

from starlette.types import Message, Receive, Scope, Send

from api.problems import problem_response


async def answer_problem(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str,
    headers: dict[str, str] | None = None, **extra: Any,
) -> None:
    response = problem_response(status, code, detail, **extra)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    await response(scope, receive, send)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then passes on what the client sends next (disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None

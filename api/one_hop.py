"""One thread hop per request (ADR 0049): a route's blocking work, its dependencies' included, runs in one worker
thread, once.

FastAPI runs each `def` dependency, a `def` endpoint and (after a `def` endpoint) the answer's validation in
anyio's thread pool, one hop each: a queue put and a condition notify under the interpreter lock, then a wake-up.
Here the dependencies that do not block are `async def` and run on the event loop; the ones that must block
(waiting for a read model, asking the store for the log's head, the directory's admission of the caller) hand
their blocking part to the request's `RequestWork`, which runs it in the endpoint's thread just before the endpoint
(or, for `after_endpoint`, just after it succeeds). `OneHopRoute` turns a `def` endpoint into an `async def` that
takes that one hop itself, so FastAPI validates and serialises the answer on the loop without another.

A dependency of an `async def` endpoint, or of a route of another class, finds no `RequestWork` gathering steps: it
runs its blocking part at once, in a worker thread of its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from fastapi import Request, Response
from fastapi.routing import APIRoute

from api.json_route import decode_large_json_off_loop

Step = Callable[[], object]


@dataclass
class RequestWork:
    """Blocking steps a request's dependencies left for its endpoint's thread, in the order they were added."""

    before: list[Step] = field(default_factory=list)
    after: list[Step] = field(default_factory=list)

    def run(self, endpoint: Callable[..., Any], values: dict[str, Any]) -> Any:
        for step in self.before:
            step()
        answer = endpoint(**values)
        for step in self.after:
            step()
        return answer


current_work: ContextVar[RequestWork | None] = ContextVar("goalengine_request_work", default=None)


async def before_endpoint(step: Step) -> None:
    """Run `step` in the endpoint's thread, before the endpoint; its exception answers instead of the endpoint."""
    work = current_work.get()
    if work is None:
        await anyio.to_thread.run_sync(step)
    else:
        work.before.append(step)


async def after_endpoint(step: Step) -> None:
    """Run `step` in the endpoint's thread once the endpoint succeeded (at once where no route gathers work)."""
    work = current_work.get()
    if work is None:
        await anyio.to_thread.run_sync(step)
    else:
        work.after.append(step)


def in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """The `def` endpoint as an `async def` (same signature, name and docstring for FastAPI and the OpenAPI
    document) that runs the request's gathered steps and the endpoint in one worker thread."""

    @functools.wraps(endpoint)
    async def endpoint_in_one_hop(**values: Any) -> Any:
        work = current_work.get() or RequestWork()
        return await anyio.to_thread.run_sync(functools.partial(work.run, endpoint, values))

    return endpoint_in_one_hop


class OneHopRoute(APIRoute):
    """An API route that takes at most one thread hop: its `def` endpoint runs with the blocking steps of its
    dependencies in one worker thread; only a JSON body above api/json_route.py's threshold costs a second."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        blocking = inspect.isfunction(endpoint) and not inspect.iscoroutinefunction(endpoint) and not (
            inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint))
        self.gathers_work = blocking
        super().__init__(path, in_one_hop(endpoint) if blocking else endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_in_one_hop(request: Request) -> Response:
            await decode_large_json_off_loop(request)
            if not self.gathers_work:
                return await handle(request)
            token = current_work.set(RequestWork())
            try:
                return await handle(request)
            finally:
                current_work.reset(token)

        return handle_in_one_hop

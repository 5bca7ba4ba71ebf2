"""create_app(): wires settings, the Goals application and the routers into one FastAPI app."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from api.docs_pages import install_docs
from api.guards import guard_steps
from api.guards.config import GuardSettings
from api.openapi_contract import install_contract
from api.observability import install_observability
from api.bootstrap import Services, bootstrap, publish
from api.positions import event_store_read
from api.problems import install_problem_handlers
from api.request_layer import RequestLayer
from api.scim.app import install_scim
from api.web import install_web
from application.goals.service import Goals
from application.store.settings import Settings

# Requests run in a thread pool; more threads than the stores' connection pools (15 each) only queue for a
# connection inside the store and time out there, so the pool is kept below that (see ADR 0011).
REQUEST_THREADS = 12

# Modules under api/routes/ that each expose `router`; what they use is built by api/bootstrap.py.
ROUTER_MODULES = ("health", "operations", "goals", "goal_assignment", "check_ins", "goal_warnings", "events",
                  "subscriptions", "reviews", "review_decisions", "goal_list", "audit", "people", "cycles",
                  "objectives", "goal_measurements", "fairness", "inbox")
# Router-wide dependencies: the goal routes stamp (and wait for) the log position they reflect (api/positions.py).
ROUTER_DEPENDENCIES = {"goals": [Depends(event_store_read)], "goal_assignment": [Depends(event_store_read)],
                       "check_ins": [Depends(event_store_read)], "goal_warnings": [Depends(event_store_read)],
                       "goal_measurements": [Depends(event_store_read)]}


def create_request_app() -> FastAPI:
    """The app of a request process of `goalengine serve --workers N`: its background work runs in the worker."""
    return create_app(services=bootstrap(in_process_background=False))


def create_app(
    settings: Settings | None = None, goals: Goals | None = None, guards: GuardSettings | None = None,
    services: Services | None = None,
) -> FastAPI:
    """The HTTP API over the services the composition root builds (api/bootstrap.py) from these settings."""
    services = services or bootstrap(settings, goals, guards)
    shutdown_hooks: list[Callable[[], None]] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        await anyio.to_thread.run_sync(services.start)
        yield
        await anyio.to_thread.run_sync(services.stop)
        for hook in reversed(shutdown_hooks):
            hook()

    app = FastAPI(
        title="goalengine",
        version="0.1.0",
        description="Event-sourced goal lifecycle engine: SMART goals, KPIs, recalibrations, evidence-based reviews.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    publish(services, app.state)
    app.state.on_shutdown = shutdown_hooks
    install_problem_handlers(app)
    install_docs(app)
    for name in ROUTER_MODULES:
        module = importlib.import_module(f"api.routes.{name}")
        app.include_router(module.router, dependencies=ROUTER_DEPENDENCIES.get(name))
    install_scim(app, app.state.directory, app.state.scim_tokens)  # /scim/v2 (ADR 0034)
    # One layer for the request's id, log and metrics, the guards and the trace context (ADR 0049).
    limits, body = guard_steps(app, services.guards)
    app.add_middleware(RequestLayer, metrics=install_observability(app), limits=limits, body=body)
    install_contract(app)
    install_web(app)  # the browser workspace reads what the routers above installed
    return app

"""Metrics, structured request logs and readiness (ADR 0021)."""

from __future__ import annotations

from fastapi import FastAPI

from api.observability.metrics import Metrics
from api.observability.requests import RequestObserver


def install_observability(app: FastAPI) -> None:
    """Outermost middleware: it sees every answer, the guards' refusals included."""
    metrics = Metrics()
    metrics.watch_store(app.state)
    app.state.metrics = metrics
    app.add_middleware(RequestObserver, metrics=metrics)

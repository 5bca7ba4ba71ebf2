"""Metrics, structured request logs and readiness (ADR 0021)."""

from __future__ import annotations

from fastapi import FastAPI

from api.observability.metrics import Metrics


def install_observability(app: FastAPI) -> Metrics:
    """The app's metrics; the request layer (api/request_layer.py) samples every request into them."""
    metrics = Metrics()
    metrics.watch_store(app.state)
    app.state.metrics = metrics
    return metrics

"""Prometheus metrics (ADR 0021): requests by route and status with latency, and figures read at scrape time.

Each app has its own registry, so several apps in one process (tests) never clash. Figures that live in the store
(the log's head, each projection's lag, webhook deliveries) are read when /metrics is scraped, so they are true for
every process sharing the store, not only this one.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter as Tally
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from application.webhooks.subscriptions import webhook_subscriptions

log = logging.getLogger("goalengine.metrics")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("goalengine_http_requests", "HTTP requests answered, by route template, method and "
                                "status", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("goalengine_http_request_duration_seconds", "Time to answer, by route template and "
                                 "method", ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("goalengine_http_requests_in_flight", "Requests being answered now",
                               registry=self.registry)
        self.open_streams = Gauge("goalengine_event_streams_open", "Server-Sent Events streams open now",
                                  registry=self.registry)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def watch_store(self, app_state: Any) -> None:
        self.registry.register(StoreCollector(app_state))
        self.registry.register(ThreadCollector())


class ThreadCollector(Collector):
    """The threads of this process by name: shows what runs beside the requests (ADR 0048: under `serve`, no
    projector, notifier or webhook delivery)."""

    def collect(self) -> Iterator[Metric]:
        threads = GaugeMetricFamily("goalengine_process_threads", "Threads of this process, by name (numbered "
                                    "pool threads counted under their common name)", labels=["name"])
        for name, count in sorted(Tally(_common_name(t.name) for t in threading.enumerate()).items()):
            threads.add_metric([name], count)
        yield threads


def _common_name(name: str) -> str:
    """'AnyIO worker thread' stays; 'Thread-12 (run)' and 'ThreadPoolExecutor-0_3' lose their numbers."""
    return re.sub(r"[-_ ]?\d+", "", name.split(" (")[0]) or name


class StoreCollector(Collector):
    """The event log's head, each projection's position and lag, and the webhook figures, read per scrape."""

    def __init__(self, app_state: Any) -> None:
        self.state = app_state

    def collect(self) -> Iterator[Metric]:
        for read in (self._log, self._projections, self._webhooks):
            try:
                yield from read()
            except Exception:  # a scrape must not fail because the store is away for a moment; /ready says so
                log.warning("metrics: %s could not be read", read.__name__, exc_info=True)

    def _log(self) -> Iterable[Metric]:
        appended = CounterMetricFamily("goalengine_events_appended", "Events appended to the log (its head position)")
        appended.add_metric([], self.state.goals.head_position())
        yield appended

    def _projections(self) -> Iterable[Metric]:
        runner = getattr(self.state, "projections", None)
        if runner is None:
            return
        position = GaugeMetricFamily("goalengine_projection_position", "Last log position applied",
                                     labels=["projection"])
        lag = GaugeMetricFamily("goalengine_projection_lag", "Events behind the log's head", labels=["projection"])
        for status in runner.status():
            position.add_metric([status.name], status.position)
            lag.add_metric([status.name], status.lag)
        yield from (position, lag)

    def _webhooks(self) -> Iterable[Metric]:
        table = webhook_subscriptions
        query = select(table.c.status, func.count(), func.coalesce(func.sum(table.c.delivered), 0),
                       func.coalesce(func.sum(table.c.failures), 0)).group_by(table.c.status)
        with self.state.goals.engine.connect() as connection:
            rows = connection.execute(query).all()
        subscriptions = GaugeMetricFamily("goalengine_webhook_subscriptions", "Subscriptions by status",
                                          labels=["status"])
        delivered = CounterMetricFamily("goalengine_webhook_deliveries", "Events delivered with a 2xx, by status of "
                                        "the subscription", labels=["status"])
        failing = GaugeMetricFamily("goalengine_webhook_failures", "Consecutive failed tries now pending, by status "
                                    "of the subscription", labels=["status"])
        for status, count, sent, failures in rows:
            subscriptions.add_metric([status], count)
            delivered.add_metric([status], int(sent))
            failing.add_metric([status], int(failures))
        yield from (subscriptions, delivered, failing)


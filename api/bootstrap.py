"""The composition root: every service the API needs, built once from the settings and the environment.

This is the one place that reads the environment for the HTTP process and decides what runs in the background;
route modules receive what is built here through `app.state` and never read settings or start threads themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from api.guards.config import GuardSettings
from api.positions import ReadPositions
from api.routes.events import StreamOptions
from application.notifications.preferences import MailPreferences
from application.cycles.service import Cycles
from application.goals.service import Goals
from application.cycles.objectives import Objectives
from application.events.live import LiveEvents
from application.store.settings import Settings
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery, WebhookThread
from application.webhooks.subscriptions import SubscriptionStore
from projections.projector import Projector
from projections.reviews import Reviews
from projections.rollup import AlignmentViews
from projections.service import build_projector

OFF = ("0", "false", "no", "off")


@dataclass
class Services:
    """What one API process runs on; `start` and `stop` run its background work (the projector, webhooks)."""

    settings: Settings
    goals: Goals
    guards: GuardSettings
    projector: Projector
    read_positions: ReadPositions
    reviews: Reviews
    stream: StreamOptions
    live_events: LiveEvents
    webhooks: WebhookSettings
    subscriptions: SubscriptionStore
    owns_goals: bool = True
    stops: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        self.projector.start()
        self.stops.append(self.projector.stop)
        if self.webhooks.in_process:
            self.live_events.start()
            delivery = WebhookDelivery(self.goals, self.webhooks, signal=self.live_events.signal,
                                       store=self.subscriptions)
            self.stops.append(WebhookThread(delivery).start().stop)

    def stop(self) -> None:
        while self.stops:
            self.stops.pop()()
        self.live_events.stop()
        if self.owns_goals:
            self.goals.close()


def bootstrap(settings: Settings | None = None, goals: Goals | None = None, guards: GuardSettings | None = None,
              environ: Mapping[str, str] | None = None) -> Services:
    """The services for these settings (or the environment's), around a given Goals application or a new one."""
    env = os.environ if environ is None else environ
    settings = settings or (goals.settings if goals else Settings.from_env(env))
    application = goals or Goals(settings)
    # The leading projector also runs the notifier of early warnings, unless a separate `goalengine notices run` does.
    notices = (env.get("GOALENGINE_NOTICES_IN_PROCESS") or "true").lower() not in OFF
    projector = build_projector(application, notices=notices)
    webhooks = WebhookSettings.from_env(env)
    return Services(
        settings=settings, goals=application, guards=guards or GuardSettings.from_env(env), projector=projector,
        read_positions=ReadPositions(application, projector, settings.read_wait_s),
        reviews=Reviews(application, application.engine), stream=stream_options(env),
        live_events=LiveEvents(application, fallback_interval=float(
            env.get("GOALENGINE_EVENTS_FALLBACK_POLL_SECONDS") or 1.0)),
        webhooks=webhooks, subscriptions=SubscriptionStore(application.engine, webhooks), owns_goals=goals is None,
    )


def stream_options(env: Mapping[str, str]) -> StreamOptions:
    """The event stream's heartbeat and push or poll (ADR 0018); its per-caller cap is a guard (ADR 0020)."""
    return StreamOptions(
        heartbeat=float(env.get("GOALENGINE_EVENTS_HEARTBEAT_SECONDS") or StreamOptions.heartbeat),
        push=(env.get("GOALENGINE_EVENTS_PUSH") or "true").lower() not in OFF,
    )


def publish(services: Services, state: object) -> None:
    """Put each service where the routes and pages look for it (`request.app.state.<name>`)."""
    for name, value in {
        "services": services, "settings": services.settings, "goals": services.goals,
        "projector": services.projector, "read_positions": services.read_positions,
        "projections": services.projector.runner,  # read only there: status for /ready and /metrics
        "reviews": services.reviews, "review_decisions": services.reviews.decisions,
        "event_stream": services.stream, "live_events": services.live_events,
        "subscriptions": services.subscriptions,
        "webhook_signal": services.live_events.signal,
        "cycles": Cycles(services.goals), "objectives": Objectives(services.goals),
        "alignment": AlignmentViews(services.goals.engine),
        "mail_preferences": MailPreferences(services.goals.engine),
    }.items():
        setattr(state, name, value)

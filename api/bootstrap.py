"""The composition root: what every process runs on, built once from the settings and the environment.

This is the one place that reads the environment (for `serve`, every command of api/cli/, the demo and the
projector) and builds the Goals application, the projector and the notifier; it decides what runs in the
background. Route modules receive what is built here through `app.state`; commands ask for `command_goals()`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from api.background import Background, WorkerWatch
from api.guards.config import GuardSettings
from api.identity.config import IdentitySettings
from api.identity.service import Identity
from api.positions import ReadPositions
from api.routes.events import StreamOptions
from application.audit import store_check
from application.audit.rollback import rollback_watch
from application.notifications.addresses import DirectoryAddresses, DomainAddresses, People
from application.notifications.mail import MailSettings
from application.notifications.preferences import MailPreferences
from projections.digest import DailyDigest
from application.cycles.service import Cycles
from application.demo import DemoClock, seed_demo
from application.equality.report import min_cell
from application.goals.service import Goals
from application.identity.people import PersonFinder
from application.cycles.objectives import Objectives
from application.directory.roles import RoleGroups
from application.directory.service import Directory
from application.directory.tokens import ProvisioningTokens
from application.events.live import LiveEvents
from application.notices.notifier import BATCH_SIZE as NOTIFIER_BATCH_SIZE, Notifier
from application.reviews.decisions import ReviewDecisions
from application.store.heartbeats import Heartbeats
from application.store.settings import Settings
from application.webhooks.config import WebhookSettings
from application.webhooks.subscriptions import SubscriptionStore
from projections.notices.review_states import review_states
from projections.projector import DEFAULT_POLL_INTERVAL, Projector
from projections.reviews import Reviews
from projections.rollup import AlignmentViews
from projections.coordination import commit_waker, coordination_for
from projections.positions import StoredPositions
from projections.runner import DEFAULT_BATCH_SIZE
from projections.service import build_projector, default_projections

OFF = ("0", "false", "no", "off")


@dataclass
class Services:
    """What one API process runs on; `start` and `stop` run the background work it runs itself, if any (ADR 0048)."""

    settings: Settings
    goals: Goals
    guards: GuardSettings
    read_positions: ReadPositions
    reviews: Reviews
    review_decisions: ReviewDecisions
    stream: StreamOptions
    live_events: LiveEvents
    webhooks: WebhookSettings
    subscriptions: SubscriptionStore
    directory: Directory  # people, reporting lines and roles from the organisation (ADR 0033)
    identity: Identity  # who signs in and who a bearer token names (ADR 0037)
    worker: WorkerWatch  # the background work's state, for /ready
    background: Background | None = None  # in-process background work (tests, embedding); None under `serve`
    owns_goals: bool = True
    stops: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        rollback_watch(self.goals).finding(now=True)  # on start: does the log still hold the kept checkpoint?
        if self.background is not None:
            self.background.start()
            self.stops.append(self.background.stop)

    def stop(self) -> None:
        while self.stops:
            self.stops.pop()()
        self.live_events.stop()
        if self.owns_goals:
            self.goals.close()


def bootstrap(settings: Settings | None = None, goals: Goals | None = None, guards: GuardSettings | None = None,
              environ: Mapping[str, str] | None = None, people: PersonFinder | None = None,
              in_process_background: bool = True) -> Services:
    """The services for these settings (or the environment's), around a given Goals application or a new one.

    `people` stands in for the directory that sign-in finds people and roles in (tests); the store's own otherwise,
    with open mode's stand-in (OpenPeople) while the directory holds nobody. With `in_process_background` the app
    runs the projector (and webhook delivery, if GOALENGINE_WEBHOOKS_IN_PROCESS) in threads of its own, as tests
    do; `goalengine serve` passes False: its worker process does that work (ADR 0048).
    """
    env = os.environ if environ is None else environ
    settings = settings or (goals.settings if goals else Settings.from_env(env))
    application = goals or Goals(settings)
    directory = Directory(application, role_groups=RoleGroups.from_env(env))
    webhooks = WebhookSettings.from_env(env)
    subscriptions = SubscriptionStore(application.engine, webhooks)
    live_events = LiveEvents(application, fallback_interval=float(
        env.get("GOALENGINE_EVENTS_FALLBACK_POLL_SECONDS") or 1.0))
    background = background_for(application, env, directory, live_events, subscriptions,
                                in_process=True) if in_process_background else None
    return Services(
        settings=settings, goals=application, guards=guards or GuardSettings.from_env(env),
        read_positions=read_positions_for(application, background),
        reviews=Reviews(application, application.engine), review_decisions=ReviewDecisions(application),
        stream=stream_options(env), live_events=live_events, webhooks=webhooks, subscriptions=subscriptions,
        directory=directory, identity=Identity.build(IdentitySettings.from_env(env), people, directory),
        worker=WorkerWatch(None if background else Heartbeats(application.engine)),
        background=background, owns_goals=goals is None,
    )


def background_for(goals: Goals, env: Mapping[str, str], people: People, live_events: LiveEvents,
                   subscriptions: SubscriptionStore, in_process: bool) -> Background:
    """The background work: the projector, whose leader also runs the notifier of early warnings (unless
    GOALENGINE_NOTICES_IN_PROCESS=false: a separate `goalengine notices run` does), and webhook delivery. The
    worker process always delivers webhooks and beats its heartbeat; an in-process app delivers only with
    GOALENGINE_WEBHOOKS_IN_PROCESS and beats none."""
    notices = (env.get("GOALENGINE_NOTICES_IN_PROCESS") or "true").lower() not in OFF
    webhooks = WebhookSettings.from_env(env)
    return Background(
        goals, projector_for(goals, notices=notices, people=people), live_events, subscriptions,
        webhooks=webhooks if webhooks.in_process or not in_process else None,
        heartbeats=None if in_process else Heartbeats(goals.engine),
    )


def worker_background(goals: Goals) -> Background:
    """What `goalengine worker` runs, as the environment configures it (ADR 0048); like serve, it first checks
    that the log still holds the kept checkpoint, so that the notifier never writes onto a rolled-back log."""
    rollback_watch(goals).finding(now=True)
    webhooks = webhook_settings()
    live_events = LiveEvents(goals, fallback_interval=webhooks.poll_interval)
    directory = Directory(goals, role_groups=RoleGroups.from_env(os.environ))
    return background_for(goals, os.environ, directory, live_events, SubscriptionStore(goals.engine, webhooks),
                          in_process=False)


def read_positions_for(goals: Goals, background: Background | None) -> ReadPositions:
    """Reads wait on the positions in the store; a write wakes the projector, in this process or the worker's."""
    progress = StoredPositions(goals.engine, [p.name for p in default_projections()], goals.head_position)
    written = background.projector.written if background else commit_waker(coordination_for(goals.settings,
                                                                                             goals.engine))
    return ReadPositions(goals, progress, written, goals.settings.read_wait_s)


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
        "read_positions": services.read_positions, "worker": services.worker,
        "projections": services.read_positions.progress,  # read only there: status for /ready and /metrics
        "reviews": services.reviews, "review_decisions": services.review_decisions,
        "event_stream": services.stream, "live_events": services.live_events,
        "subscriptions": services.subscriptions, "identity": services.identity,
        "webhook_signal": services.live_events.signal,
        "cycles": Cycles(services.goals), "objectives": Objectives(services.goals),
        "alignment": AlignmentViews(services.goals.engine),
        # The directory of people (ADR 0033) and the provisioning tokens that open /scim/v2 (ADR 0034).
        "directory": services.directory,
        "scim_tokens": ProvisioningTokens(services.goals.engine),
        "mail_preferences": MailPreferences(services.goals.engine),
    }.items():
        setattr(state, name, value)
    if services.background is not None:
        state.projector = services.background.projector  # tests stop and start it


# --- the other processes: commands, the demo, the projector and the notifier ------------------------------------

def environment_settings(*, create: bool = False) -> Settings:
    """The settings the environment names; only serve and demo pass `create` (a missing key file is made)."""
    return Settings.from_env(os.environ, create=create)


def guard_settings() -> GuardSettings:
    return GuardSettings.from_env(os.environ)


@cache
def worker_guard_settings() -> GuardSettings:
    """The guards of a worker process of `serve --workers N`, read once, when its first connection arrives."""
    return guard_settings()


def webhook_settings() -> WebhookSettings:
    return WebhookSettings.from_env(os.environ)


def signing_settings() -> Settings:
    """For commands that sign (checkpoint, audit, erase, privacy migrate): the signing key and an existing store."""
    return store_check.signing_settings(os.environ)


def verifying_settings(public_keys: Sequence[str]) -> Settings:
    """For `goalengine verify`: public keys only, and an existing store."""
    return store_check.verifying_settings(public_keys, os.environ)


@contextmanager
def command_goals(settings: Settings | None = None, today: Callable[[], date] | None = None) -> Iterator[Goals]:
    """The Goals application a command runs on (the environment's settings unless given), closed on the way out."""
    goals = Goals(settings or environment_settings(), today=today)
    try:
        yield goals
    finally:
        goals.close()


def notifier_for(goals: Goals, today: Callable[[], date] | None = None,
                 batch_size: int = NOTIFIER_BATCH_SIZE) -> Notifier:
    """The notifier of early warnings (ADR 0024), folding review states with the read side's reducer."""
    return Notifier(goals, review_states(), today=today, batch_size=batch_size)


def projector_for(goals: Goals, poll_interval: float = DEFAULT_POLL_INTERVAL, batch_size: int = DEFAULT_BATCH_SIZE,
                  notices: bool = False, people: People | None = None) -> Projector:
    """The background projector; with `notices`, its leader also runs the notifier beside its rounds (ADR 0024, 0056)
    and, with GOALENGINE_SMTP_URL set, the daily digest to the people's e-mail in the directory (ADR 0047)."""
    # A read-only server (no signing key, ADR 0013) stores nothing, warnings included.
    notifier = notifier_for(goals) if notices and goals.audit_keys.signer is not None else None
    duties = [lambda: notifier.step(max_batches=1)] if notifier else []  # one batch a pass: a stop waits little
    digest = digest_for(goals, people) if notifier and people is not None else None  # mail only from a writing leader
    duties += [digest.step] if digest else []
    return build_projector(goals, poll_interval, batch_size, duties)


def digest_for(goals: Goals, people: People, environ: Mapping[str, str] | None = None) -> DailyDigest | None:
    """The daily digest as the environment configures it, or None without GOALENGINE_SMTP_URL. Links start with
    GOALENGINE_PUBLIC_URL; addresses are the directory's, `<id>@GOALENGINE_MAIL_DOMAIN` for anyone it does not hold."""
    env = os.environ if environ is None else environ
    mail = MailSettings.from_env(env)
    if mail is None:
        return None
    addresses = DirectoryAddresses(people, DomainAddresses.from_env(env))
    return DailyDigest(goals, mail, addresses, env.get("GOALENGINE_PUBLIC_URL") or "http://127.0.0.1:8000")


def seed_demo_store(settings: Settings, today: date) -> bool:
    """Seed the demo organisation into an empty store; the story's events carry the demo clock's days."""
    clock = DemoClock.for_story(today)
    with command_goals(settings, today=clock.today) as goals:
        return seed_demo(goals, clock, today)


def fairness_min_cell() -> int:
    """The smallest group the report by protected characteristic shows (ADR 0042), from the environment."""
    return min_cell(os.environ)


def identity_settings() -> IdentitySettings:
    """Sign-in's settings (ADR 0037): for `goalengine token`, which refuses when local tokens are off."""
    return IdentitySettings.from_env(os.environ)

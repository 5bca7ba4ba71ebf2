"""The event log behind Goals: the store's wiring, one save per command, and the log read in order.

Goals (application/goals/service.py) adds the commands and queries; cycles, objectives and review decisions save
through the same application (`save_at`, `once`), so every aggregate shares one log and one idempotency table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import (
    EventStore, InfrastructureFactory, IntegrityError, Mapper, Notification, Recording, Transcoder,
)
from eventsourcing.utils import Environment
from sqlalchemy import Engine

from application.audit.chain import ChainingMapper
from application.audit.keys import AuditKeys
from application.audit.read_check import ReadCheck, readable_page
from application.audit.read_seals import ReadSeals, seal_key
from application.audit.snapshots import CheckedSnapshotStore
from application.store.eventsourcing_internals import RecordHook, empty_cache
from application.store.database import create_sql_engine, metadata, schema_creation
from application.store.log_scan import LogScan
from application.errors import ConcurrentModificationError
from application.events.catalogue import RecordedEvent
from application.store.idempotency import CommandResult, IdempotencyStore
from application.privacy.keys import DataKeys
from application.privacy.personal import PersonalData
from application.privacy.sealing import register_personal_transcodings
from application.goals.parties import DraftParties, TypedParties
from application.goals.readings import ReadingSeries
from application.goals.turns import GoalTurns
from application.store.sqlite_pool import bound_page_caches, writer_turn
from application.store.traced_recorders import TracedPostgresRecorder, TracedSQLiteRecorder
from application.store.settings import BusinessCalendar, Settings
from application.store.transcodings import goal_transcoder
from domain.cycle import Cycle
from domain.goal import Goal
from domain.review import Review
from domain.smart import DEFAULT_POLICY, SmartPolicy
from domain.values import Actor


RECALIBRATION_TOPICS = (Goal.RecalibrationProposed.TOPIC, Goal.Recalibrated.TOPIC, Goal.RecalibrationRejected.TOPIC)


@dataclass(frozen=True)
class RecalibrationStep:
    """A proposal made (proposed) or decided (not proposed), where the log holds it."""

    goal_id: UUID
    recalibration_id: str
    proposed: bool
    position: int


@dataclass(frozen=True)
class LoggedEvent:
    """An event (a goal's, or another aggregate's: ADR 0022) and its position in the application's event log."""

    position: int
    event: RecordedEvent



class GoalEventLog(RecordHook):
    """The application's store, keys and caches, built from its settings; saves and reads every aggregate of the log."""

    name = "goalengine"
    snapshotting_intervals = {Goal: 100}

    def __init__(
        self,
        settings: Settings,
        today: Callable[[], date] | None = None,
        smart_policy: SmartPolicy = DEFAULT_POLICY,
    ) -> None:
        self.settings = settings  # from the composition root (api/bootstrap.py): nothing here reads the environment
        self.today = today or BusinessCalendar(self.settings.timezone).today
        self.smart_policy = smart_policy
        # Per instance, from the settings: the library reads the interval from self, though it declares a ClassVar.
        self.snapshotting_intervals = {Goal: self.settings.snapshot_interval}  # type: ignore[misc]
        # The engine comes first: on PostgreSQL it creates the schema the event store's tables go in.
        self.engine: Engine = create_sql_engine(self.settings)
        self.audit_keys = AuditKeys.of(
            self.settings.audit_signing_key, self.settings.audit_public_keys, self.settings.audit_origin)
        with schema_creation(self.engine):
            self.data_keys = DataKeys(self.engine, self.settings.data_master_key, self.settings.bounds.data_keys)
            if self.settings.reads_sealed_text:
                self.data_keys.require_usable_master()
            super().__init__(env=self.settings.eventsourcing_env())
            self._seal_with_events()
            metadata.create_all(self.engine, tables=[metadata.tables["idempotency_keys"]])
        # After an erasure (here or in another process) no cached goal may still hold the erased text.
        self.data_keys.on_erasure.append(self.forget_cached_aggregates)
        self.idempotency = IdempotencyStore(self.engine, turn=lambda: writer_turn(self.recorder))
        bounds = self.settings.bounds
        self.reading_series = ReadingSeries(self._reading_events, bounds.reading_series_goals, bounds.goal_measurements)
        self.write_turns = GoalTurns(bounds.goal_write_turns)
        self.write_guards: list[Callable[[], None]] = []  # each may refuse every write (a rolled-back log, ADR 0039)
        self.parties: DraftParties = TypedParties()  # the directory takes over once it exists (ADR 0035)
        # The ids of the cycles opened, each recalibration's steps (goal, proposal, whether it was the proposal,
        # position; no text) and the reviews ever disputed, in log order: each look searches only what the log
        # stored since the last (application/store/log_scan.py).
        self.opened_cycles = LogScan(lambda: self.recorder, [Cycle.Opened.TOPIC], self._opened_cycle_id)
        self.recalibration_steps = LogScan(lambda: self.recorder, RECALIBRATION_TOPICS, self._recalibration_step)
        self.disputed_reviews = LogScan(lambda: self.recorder, [Review.Disputed.TOPIC],
                                        lambda notification: UUID(str(notification.originator_id)))

    def _recalibration_step(self, notification: Notification) -> RecalibrationStep:
        event = self.mapper.to_domain_event(notification)
        return RecalibrationStep(UUID(str(notification.originator_id)), str(getattr(event, "recalibration_id")),  # noqa: B009
                                 isinstance(event, Goal.RecalibrationProposed), notification.id)

    def _opened_cycle_id(self, notification: Notification) -> str:
        opened = self.mapper.to_domain_event(notification)
        assert isinstance(opened, Cycle.Opened)
        return opened.cycle

    # --- wiring --------------------------------------------------------------------------------------------

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        factory = super().construct_factory(env)
        bound_page_caches(factory, self.settings.bounds.sqlite_page_cache_kib)
        return factory

    def construct_transcoder(self) -> Transcoder:
        transcoder = goal_transcoder()
        register_personal_transcodings(transcoder, self.data_keys)
        return transcoder

    def construct_mapper(self) -> Mapper[UUID]:
        transcoder = self.construct_transcoder()
        self.personal = PersonalData(self.data_keys, lambda aggregate_id: self.recorder.select_events(
            aggregate_id, lte=1, limit=1), self.settings.bounds.data_subjects)
        self.personal.transcoder = transcoder
        stored_at = lambda goal_id, version: self.recorder.select_events(goal_id, gt=version - 1, lte=version)  # noqa: E731
        mapper = ChainingMapper(
            transcoder=transcoder, personal=self.personal,
            signer=self.audit_keys.signer,
            last_stored=lambda goal_id: self.recorder.select_events(goal_id, desc=True, limit=1),
            stored_at=stored_at,
            bounds=self.settings.bounds,
        )
        if self.settings.verify_reads:
            mapper.read_check = ReadCheck(self.audit_keys.keyring, stored_at, mapper.heads.get, lambda: self.recorder,
                                          self._read_seals(), self.settings.bounds)
        return mapper

    def _read_seals(self) -> ReadSeals | None:
        """Only the signing key's holder seals (ADR 0050); a process without it checks every first read's signature."""
        signer = self.audit_keys.signer
        if signer is None:
            return None
        return ReadSeals(seal_key(signer), self.audit_keys.keyring, self._seal_store, self.settings.bounds)

    def _seal_store(self) -> TracedSQLiteRecorder | TracedPostgresRecorder:
        assert isinstance(self.recorder, TracedSQLiteRecorder | TracedPostgresRecorder)  # the settings choose them
        return self.recorder

    def construct_snapshot_store(self) -> EventStore[UUID]:
        # Snapshots are checked against the signed events before they are used (ADR 0013).
        return CheckedSnapshotStore(self.mapper, self.factory.aggregate_recorder(purpose="snapshots"),
                                    self.recorder, self.audit_keys.keyring)

    def recorded(self, processing_event: ProcessingEvent[UUID],
                 record: Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]]) -> list[Recording[UUID]]:
        """Every save: the chain's heads are read once for the whole save and remembered after it (ADR 0013)."""
        assert isinstance(self.mapper, ChainingMapper)
        for guard in self.write_guards:
            guard()
        self.mapper.begin_save()
        try:
            recordings = record(processing_event)
        finally:
            self.mapper.end_save()
        for recording in recordings:
            self.mapper.remember(recording.notification)
        return recordings

    def _seal_with_events(self) -> None:
        """The recorder writes each event's read seal in the transaction that stores the event (ADR 0050)."""
        assert isinstance(self.mapper, ChainingMapper)
        seals = self.mapper.read_check.seals if self.mapper.read_check is not None else None
        if seals is not None:
            self._seal_store().seal_rows = seals.rows_for

    def forget_cached_aggregates(self) -> None:
        """Drop every cached goal and reading series: they hold opened personal text (ADR 0026)."""
        empty_cache(self.repository.cache)
        self.reading_series.forget()

    def close(self) -> None:
        assert isinstance(self.mapper, ChainingMapper)
        if self.mapper.read_check is not None and self.mapper.read_check.seals is not None:
            self.mapper.read_check.seals.flush()  # seals of rows checked since the last save
        super().close()
        self.engine.dispose()

    def head_position(self) -> int:
        """The event log's last position (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def log_events(
        self, after: int = 0, until: int | None = None, topics: Sequence[str] = (), page_size: int = 500
    ) -> Iterator[LoggedEvent]:
        """Logged events in log order with their positions, after one position and up to another (inclusive)."""
        position = after
        while True:
            page = readable_page(self.recorder, position, page_size, stop=until, topics=topics,
                                 inclusive_of_start=False)
            for notification in page:
                event = self.mapper.to_domain_event(notification)
                yield LoggedEvent(notification.id, event)  # type: ignore[arg-type]  # every logged event has an actor
            if len(page) < page_size:
                return
            position = page[-1].id

    def iter_goal_ids(self) -> Iterator[UUID]:
        """Every goal id, in the order goals were drafted."""
        position = 0
        while True:
            page = self.recorder.select_notifications(
                position, 500, topics=[Goal.Drafted.TOPIC], inclusive_of_start=False
            )
            if not page:
                return
            for notification in page:
                yield UUID(str(notification.originator_id))
            position = page[-1].id

    # --- saving --------------------------------------------------------------------------------------------

    def save_at(self, *aggregates: Aggregate) -> int:
        """Save the aggregates' new events at once; the log position of the last one (the client's position token)."""
        recordings = self.save(*aggregates)
        events = [recording.domain_event for recording in recordings]
        for aggregate in aggregates:
            if isinstance(aggregate, Goal):
                self.reading_series.saved(aggregate.id, events)
        return recordings[-1].notification.id if recordings else self.head_position()

    def save_or_refuse(self, what: str, *aggregates: Aggregate) -> int:
        """`save_at`, or ConcurrentModificationError (409) naming `what` when another writer saved it first."""
        try:
            return self.save_at(*aggregates)
        except IntegrityError:
            raise ConcurrentModificationError(
                f"{what} was changed by another writer at the same time; read it again and retry") from None

    def _reading_events(self, goal_id: UUID, after: int, until: int) -> Iterator[Goal.KpiRecorded]:
        for stored in self.recorder.select_events(goal_id, gt=after, lte=until):
            event = self.mapper.to_domain_event(stored)
            if isinstance(event, Goal.KpiRecorded):
                yield event

    def once(
        self,
        actor: Actor,
        idempotency_key: str | None,
        name: str,
        payload: dict[str, Any],
        execute: Callable[[], CommandResult],
    ) -> CommandResult:
        if idempotency_key is None:
            return execute()
        result, _replayed = self.idempotency.run(actor.id, idempotency_key, name, payload, execute)
        return result

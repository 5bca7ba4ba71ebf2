"""Goals: the application service. One method per command and per query; the only layer that loads and saves goals."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.application import (
    AggregateNotFoundError, Application, LRUCache, ProcessingEvent, project_aggregate,
)
from eventsourcing.persistence import EventStore, IntegrityError, Mapper, Recording, Transcoder
from sqlalchemy import Engine

from application.audit.chain import ChainingMapper
from application.audit.keys import AuditKeys
from application.audit.snapshots import CheckedSnapshotStore
from application.goals import checks
from application.goals.copying import fresh_copy
from application.goals.parties import DraftParties, TypedParties
from application.store.database import create_sql_engine, metadata, schema_creation
from application.events.catalogue import RecordedEvent
from application.errors import ConcurrentModificationError, GoalNotFoundError, VersionMismatchError
from application.store.idempotency import CommandResult, IdempotencyStore
from application.privacy.keys import DataKeys
from application.privacy.personal import PersonalData
from application.privacy.sealing import register_personal_transcodings
from application.goals.readings import ReadingSeries
from application.store.sqlite_pool import writer_turn
from application.store.settings import BusinessCalendar, Settings
from application.store.transcodings import goal_transcoder
from domain.check_ins import CheckIn
from domain.goal import Goal
from domain.recalibration import Changes
from domain.terms import GoalTerms
from domain.validation import choice
from domain.smart import DEFAULT_POLICY, SmartPolicy, SmartReport
from domain.values import Actor, Cycle, Measurement, Outcome, ReasonCategory

RETRIES_WITHOUT_EXPECTED_VERSION = 3
# A caller's guard on the loaded goal, run before the command (e.g. the API's visibility check, which answers 404).
Check = Callable[[Goal], None]


@dataclass(frozen=True)
class LoggedEvent:
    """An event (a goal's, or another aggregate's: ADR 0022) and its position in the application's event log."""

    position: int
    event: RecordedEvent


class Goals(Application[UUID]):
    """Drafts, agrees, tracks, recalibrates and closes goals; answers what a goal is and was."""

    name = "goalengine"
    snapshotting_intervals = {Goal: 100}

    def __init__(
        self,
        settings: Settings | None = None,
        today: Callable[[], date] | None = None,
        smart_policy: SmartPolicy = DEFAULT_POLICY,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.today = today or BusinessCalendar(self.settings.timezone).today
        self.smart_policy = smart_policy
        # Per instance, from the settings: the library reads the interval from self, though it declares a ClassVar.
        self.snapshotting_intervals = {Goal: self.settings.snapshot_interval}  # type: ignore[misc]
        # The engine comes first: on PostgreSQL it creates the schema the event store's tables go in.
        self.engine: Engine = create_sql_engine(self.settings)
        self.audit_keys = AuditKeys.of(
            self.settings.audit_signing_key, self.settings.audit_public_keys, self.settings.audit_origin)
        with schema_creation(self.engine):
            self.data_keys = DataKeys(self.engine, self.settings.data_master_key)
            super().__init__(env=self.settings.eventsourcing_env())
            metadata.create_all(self.engine, tables=[metadata.tables["idempotency_keys"]])
        # After an erasure (here or in another process) no cached goal may still hold the erased text.
        self.data_keys.on_erasure.append(self.forget_cached_aggregates)
        self.idempotency = IdempotencyStore(self.engine, turn=lambda: writer_turn(self.recorder))
        self.reading_series = ReadingSeries(self._reading_events, self.settings.aggregate_cache_size)
        self.parties: DraftParties = TypedParties()  # the directory takes over once it exists (ADR 0035)

    # --- wiring --------------------------------------------------------------------------------------------

    def construct_transcoder(self) -> Transcoder:
        transcoder = goal_transcoder()
        register_personal_transcodings(transcoder, self.data_keys)
        return transcoder

    def construct_mapper(self) -> Mapper[UUID]:
        transcoder = self.construct_transcoder()
        self.personal = PersonalData(self.data_keys, lambda aggregate_id: self.recorder.select_events(
            aggregate_id, lte=1, limit=1))
        self.personal.transcoder = transcoder
        return ChainingMapper(
            transcoder=transcoder, personal=self.personal,
            signer=self.audit_keys.signer,
            last_stored=lambda goal_id: self.recorder.select_events(goal_id, desc=True, limit=1),
            stored_at=lambda goal_id, version: self.recorder.select_events(goal_id, gt=version - 1, lte=version),
        )

    def construct_snapshot_store(self) -> EventStore[UUID]:
        # Snapshots are checked against the signed events before they are used (ADR 0013).
        return CheckedSnapshotStore(self.mapper, self.factory.aggregate_recorder(purpose="snapshots"),
                                    self.recorder, self.audit_keys.keyring)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        assert isinstance(self.mapper, ChainingMapper)
        self.mapper.begin_save()
        try:
            recordings = super()._record(processing_event)
        finally:
            self.mapper.end_save()
        for recording in recordings:
            self.mapper.remember(recording.notification)
        return recordings

    def forget_cached_aggregates(self) -> None:
        """Drop every cached goal and reading series: they hold opened personal text (ADR 0026)."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            with cache.lock:
                cache.cache.clear()
                cache.clear()  # the LRU's linked list goes with its entries
                cache.full = False
        elif cache is not None:
            cache.cache.clear()
        self.reading_series.forget()

    def close(self) -> None:
        super().close()
        self.engine.dispose()

    # --- commands ------------------------------------------------------------------------------------------

    def draft_goal(
        self, actor: Actor, *, cycle: Cycle | str, owner_id: str, manager_id: str | None, terms: GoalTerms,
        idempotency_key: str | None = None,
    ) -> CommandResult:
        """Draft a goal in an existing cycle (named by id, or by id and its own period), aligned to what exists."""
        named = cycle if isinstance(cycle, str) else cycle.id
        payload = {"cycle": named if isinstance(cycle, str) else cycle.as_dict(), "owner_id": owner_id,
                   "manager_id": manager_id, **terms.to_stored()}

        def draft() -> CommandResult:
            period = checks.cycle_period(self.repository, named, None if isinstance(cycle, str) else cycle)
            checks.require_alignment(self.repository, terms.parent_goal_id)
            manager = self.parties.manager_for_draft(actor, owner_id, manager_id)
            goal = Goal.draft(actor=actor, cycle=period, owner_id=owner_id, manager_id=manager, terms=terms)
            position = self._save_at(goal)
            return CommandResult(str(goal.id), goal.version, position=position, goal=goal)

        return self._answered(self._once(actor, idempotency_key, "draft_goal", payload, draft), None)

    def revise_goal(
        self, goal_id: UUID, actor: Actor, changes: dict[str, Any], *, expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        def revise(goal: Goal) -> None:
            if changes.get("parent_goal_id") is not None:
                checks.require_alignment(self.repository, changes["parent_goal_id"], goal.id)
            goal.revise(changes, actor)

        return self._command(goal_id, actor, "revise_goal", {"changes": changes}, expected_version, idempotency_key,
                             revise, check=check)

    def sign_goal(
        self, goal_id: UUID, actor: Actor, *, read_version: int | None = None, expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        return self._command(
            goal_id, actor, "sign_goal", {"read_version": read_version}, expected_version, idempotency_key,
            lambda goal: goal.sign(actor, read_version, self.smart_policy, today=self.today()),
            check=check,
        )

    def set_milestone(
        self, goal_id: UUID, actor: Actor, *, kpi: str, due: date, target: Decimal,
        expected_version: int | None = None, idempotency_key: str | None = None,
        check: Check | None = None,
    ) -> CommandResult:
        return self._command(
            goal_id, actor, "set_milestone", {"kpi": kpi, "due": due, "target": target}, expected_version,
            idempotency_key, lambda goal: goal.set_milestone(kpi, due, target, actor, today=self.today()),
            check=check,
        )

    def record_kpi(
        self, goal_id: UUID, actor: Actor, *, kpi: str, value: Decimal, observed_at: date, source: str = "",
        note: str = "", expected_version: int | None = None, idempotency_key: str | None = None,
        check: Check | None = None,
    ) -> CommandResult:
        payload = {"kpi": kpi, "value": value, "observed_at": observed_at, "source": source, "note": note}
        return self._command(
            goal_id, actor, "record_kpi", payload, expected_version, idempotency_key,
            lambda goal: goal.record_kpi(kpi, value, observed_at, actor, source, note, today=self.today()),
            check=check,
        )

    def propose_recalibration(
        self, goal_id: UUID, actor: Actor, *, reason: str, justification: str,
        targets: Mapping[str, Mapping[str, Decimal]] | None = None, deadline: date | None = None,
        milestones: Sequence[Mapping[str, Any]] = (), expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        category = choice(ReasonCategory, "reason", reason)
        changes = Changes.proposed(targets, deadline, milestones)
        payload = {"reason": str(category), "justification": justification, **changes.to_stored()}
        return self._command(
            goal_id, actor, "propose_recalibration", payload, expected_version, idempotency_key,
            lambda goal: goal.propose_recalibration(actor, category, justification, changes, self.today()),
            check=check,
        )

    def approve_recalibration(
        self, goal_id: UUID, actor: Actor, recalibration_id: str, *, note: str = "",
        expected_version: int | None = None, idempotency_key: str | None = None,
        check: Check | None = None,
    ) -> CommandResult:
        return self._command(
            goal_id, actor, "approve_recalibration", {"id": recalibration_id, "note": note}, expected_version,
            idempotency_key, lambda goal: goal.approve_recalibration(recalibration_id, actor, note, today=self.today()),
            check=check,
        )

    def reject_recalibration(
        self, goal_id: UUID, actor: Actor, recalibration_id: str, *, note: str = "",
        expected_version: int | None = None, idempotency_key: str | None = None,
        check: Check | None = None,
    ) -> CommandResult:
        return self._command(
            goal_id, actor, "reject_recalibration", {"id": recalibration_id, "note": note}, expected_version,
            idempotency_key, lambda goal: goal.reject_recalibration(recalibration_id, actor, note),
            check=check,
        )

    def close_goal(
        self, goal_id: UUID, actor: Actor, *, outcome: str, summary: str, expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        chosen = choice(Outcome, "outcome", outcome)
        return self._command(
            goal_id, actor, "close_goal", {"outcome": str(chosen), "summary": summary}, expected_version,
            idempotency_key, lambda goal: goal.close(chosen, summary, actor),
            check=check,
        )

    def check_in(
        self, goal_id: UUID, actor: Actor, check_in: CheckIn, *, expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        """The owner or the manager says how the goal is going; the check-in's id is its event's id."""
        result = self._command(goal_id, actor, "check_in", check_in.to_stored(), expected_version, idempotency_key,
                               lambda goal: goal.check_in(check_in, actor), check=check)
        return replace(result, reference=f"{goal_id}:{result.version}")

    def reassign_goal(
        self, goal_id: UUID, actor: Actor, *, reason: str, owner_id: str | None = None,
        manager_id: str | None = None, expected_version: int | None = None, idempotency_key: str | None = None,
    ) -> CommandResult:
        payload = {"owner_id": owner_id, "manager_id": manager_id, "reason": reason}
        for person_id in filter(None, (owner_id, manager_id)):
            self.parties.require_person(person_id)  # in directory mode, no goal moves to a look-alike id
        return self._command(
            goal_id, actor, "reassign_goal", payload, expected_version, idempotency_key,
            lambda goal: goal.reassign(actor, reason, owner_id, manager_id),
        )

    # --- queries -------------------------------------------------------------------------------------------

    def get_goal(self, goal_id: UUID, *, version: int | None = None, as_of: datetime | None = None) -> Goal:
        """The goal now, at a past version, or as it stood at a past moment."""
        if as_of is not None:
            return self._goal_as_of(goal_id, as_of)
        self.data_keys.refresh_if_stale()
        try:
            if version is None:
                # The cached goal, copied here more cheaply than the library's deepcopy (application/goals/copying.py).
                goal: Goal = fresh_copy(self.repository.get(goal_id, deepcopy_from_cache=False))
            else:
                goal = self.repository.get(goal_id, version=version)
        except AggregateNotFoundError:
            raise GoalNotFoundError(goal_id, f" at version {version}" if version is not None else "") from None
        if not isinstance(goal, Goal):
            raise GoalNotFoundError(goal_id)  # the id of another aggregate in the log (ADR 0022)
        if version is not None and goal.version < version:
            # The library hands back the latest version when asked for a later one; that version never existed.
            raise GoalNotFoundError(goal_id, f" at version {version} (it is at version {goal.version})")
        return goal

    def readings(self, goal: Goal) -> tuple[Measurement, ...]:
        """Every KPI reading of the goal as given (corrected ones too), in the order recorded: from its events."""
        return self.reading_series.up_to(goal.id, goal.version)

    def smart_report(self, goal_id: UUID) -> SmartReport:
        return self.get_goal(goal_id).smart_report(self.today(), self.smart_policy)

    def goal_events(self, goal_id: UUID, *, until: datetime | None = None) -> list[Goal.Event]:
        """The goal's events in order: its audit trail (up to a moment, if given)."""
        events: list[Goal.Event] = []
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)  # a moment without a zone is read as UTC
        for domain_event in self.events.get(goal_id):
            if not isinstance(domain_event, Goal.Event):
                raise GoalNotFoundError(goal_id)  # the id of another aggregate in the log (ADR 0022)
            if until is not None and domain_event.timestamp > until:
                break
            events.append(domain_event)
        if not events and until is None:
            raise GoalNotFoundError(goal_id)
        return events

    def head_position(self) -> int:
        """The event log's last position (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def log_events(
        self, after: int = 0, until: int | None = None, topics: Sequence[str] = (), page_size: int = 500
    ) -> Iterator[LoggedEvent]:
        """Logged events in log order with their positions, after one position and up to another (inclusive)."""
        position = after
        while True:
            page = self.recorder.select_notifications(
                position, page_size, stop=until, topics=topics, inclusive_of_start=False
            )
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

    # --- internals -----------------------------------------------------------------------------------------

    def _goal_as_of(self, goal_id: UUID, as_of: datetime) -> Goal:
        events = self.goal_events(goal_id, until=as_of)
        if not events:
            if not self.recorder.select_events(goal_id, limit=1):
                raise GoalNotFoundError(goal_id)  # not drafted at all, not merely later
            raise GoalNotFoundError(goal_id, f" as of {as_of.isoformat()} (it was drafted later)")
        goal: object = project_aggregate(None, events)
        assert isinstance(goal, Goal)
        return goal

    def _command(
        self,
        goal_id: UUID,
        actor: Actor,
        name: str,
        payload: dict[str, Any],
        expected_version: int | None,
        idempotency_key: str | None,
        act: Callable[[Goal], object],
        check: Check | None = None,
    ) -> CommandResult:
        """Load the goal once: the caller's check, the command and the caller's answer all use that one goal."""

        def execute() -> CommandResult:
            attempts = 1 if expected_version is not None else RETRIES_WITHOUT_EXPECTED_VERSION
            for attempt in range(1, attempts + 1):
                goal = self.get_goal(goal_id)
                if check is not None:
                    check(goal)
                if expected_version is not None and goal.version != expected_version:
                    raise VersionMismatchError(goal_id, expected_version, goal.version)
                checks.require_cycle_unlocked(self.repository, goal.cycle.id)
                reference = act(goal)
                try:
                    position = self._save_at(goal)
                except IntegrityError:
                    if attempt == attempts:
                        raise ConcurrentModificationError(
                            f"goal {goal_id} was changed by another writer at the same time; read it again and retry",
                            goal_id=str(goal_id),
                        ) from None
                    continue
                return CommandResult(
                    str(goal_id), goal.version, reference if isinstance(reference, str) else None, position, goal
                )
            raise AssertionError("unreachable")

        return self._answered(
            self._once(actor, idempotency_key, name, {"goal_id": str(goal_id), **payload}, execute), check
        )

    def _answered(self, result: CommandResult, check: Check | None) -> CommandResult:
        """The result with the goal as the command left it; a replayed key loads it (once: nothing ran again)."""
        if result.goal is not None:
            return result
        goal = self.get_goal(UUID(result.goal_id), version=result.version)
        if check is not None:
            check(goal)
        return replace(result, goal=goal)

    def _save_at(self, *aggregates: Aggregate) -> int:
        """Save the aggregates' new events at once; the log position of the last one (the client's position token)."""
        recordings = self.save(*aggregates)
        events = [recording.domain_event for recording in recordings]
        for aggregate in aggregates:
            if isinstance(aggregate, Goal):
                self.reading_series.saved(aggregate.id, events)
        return recordings[-1].notification.id if recordings else self.head_position()

    def _reading_events(self, goal_id: UUID, after: int, until: int) -> Iterator[Goal.KpiRecorded]:
        for stored in self.recorder.select_events(goal_id, gt=after, lte=until):
            event = self.mapper.to_domain_event(stored)
            if isinstance(event, Goal.KpiRecorded):
                yield event

    def _once(
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

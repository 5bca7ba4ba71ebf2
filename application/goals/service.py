"""Goals: the application service. One method per command and per query; the only layer that loads and saves goals."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, project_aggregate

from application.errors import GoalNotFoundError, VersionMismatchError
from application.goals import checks
from application.goals.copying import fresh_copy
from application.goals.event_log import GoalEventLog, LoggedEvent
from application.goals.readings import ReadingPage, Readings
from application.store.idempotency import CommandResult
from domain.check_ins import CheckIn
from domain.cycle import Cycle as CycleAggregate
from domain.goal import Goal
from domain.recalibration import Changes
from domain.terms import GoalTerms
from domain.validation import choice
from domain.smart import SmartReport
from domain.values import Actor, Cycle, Measurement, Outcome, ReasonCategory

__all__ = ["RETRIES_WITHOUT_EXPECTED_VERSION", "Check", "Goals", "LoggedEvent"]

RETRIES_WITHOUT_EXPECTED_VERSION = 3  # the warnings and review decisions (goal commands: application/goals/turns.py)
# A caller's guard on the loaded goal, run before the command (e.g. the API's visibility check, which answers 404).
Check = Callable[[Goal], None]


class Goals(GoalEventLog):
    """Drafts, agrees, tracks, recalibrates and closes goals; answers what a goal is and was."""

    name = "goalengine"  # the library names an application after its class unless told

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
            checks.require_alignment(self.repository, terms.parent_goal_id, viewer=actor)
            manager = self.parties.manager_for_draft(actor, owner_id, manager_id)
            goal = Goal.draft(actor=actor, cycle=period, owner_id=owner_id, manager_id=manager, terms=terms)
            position = self.save_at(goal)
            return CommandResult(str(goal.id), goal.version, position=position, goal=goal)

        return self._answered(self.once(actor, idempotency_key, "draft_goal", payload, draft), None)

    def revise_goal(
        self, goal_id: UUID, actor: Actor, changes: dict[str, Any], *, expected_version: int | None = None,
        idempotency_key: str | None = None, check: Check | None = None,
    ) -> CommandResult:
        def revise(goal: Goal) -> None:
            if changes.get("parent_goal_id") is not None:
                checks.require_alignment(self.repository, changes["parent_goal_id"], goal.id, viewer=actor)
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
        idempotency_key: str | None = None, check: Check | None = None, cancel: bool = False,
    ) -> CommandResult:
        """Propose new terms, or (`cancel`) the agreed goal's cancellation; HR decides (ADR 0029)."""
        category = choice(ReasonCategory, "reason", reason)
        changes = replace(Changes.proposed(targets, deadline, milestones), cancel=cancel)
        payload = {"reason": str(category), "justification": justification, **changes.to_stored()}
        return self._command(
            goal_id, actor, "propose_recalibration", payload, expected_version, idempotency_key,
            lambda goal: goal.propose_recalibration(actor, category, justification, changes, self.today()),
            check=check, cycle_allows=CycleAggregate.require_terms_still_open,
        )

    def approve_recalibration(
        self, goal_id: UUID, actor: Actor, recalibration_id: str, *, note: str = "",
        expected_version: int | None = None, idempotency_key: str | None = None,
        check: Check | None = None,
    ) -> CommandResult:
        return self._command(
            goal_id, actor, "approve_recalibration", {"id": recalibration_id, "note": note}, expected_version,
            idempotency_key, lambda goal: goal.approve_recalibration(recalibration_id, actor, note, today=self.today()),
            check=check, cycle_allows=CycleAggregate.require_terms_still_open,
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
        """Every KPI reading of the goal as given (corrected ones too), in the order recorded: from its events.
        Unbounded: for tools and tests; answers use `bounded_readings` and `reading_page` (ADR 0044)."""
        return self.reading_page(goal, lambda _reading: True, None, goal.version).readings

    def bounded_readings(self, goal: Goal) -> Readings:
        """The goal's latest readings, their total and the reading that counts per KPI and day (cached, bounded)."""
        return self.reading_series.up_to(goal.id, goal.version)

    def reading_page(self, goal: Goal, wanted: Callable[[Measurement], bool], cursor: str | None,
                     limit: int) -> ReadingPage:
        """A page of the goal's readings in recorded order; InvalidReadingCursorError for a cursor not handed out."""
        return self.reading_series.page(goal.id, goal.version, wanted, cursor, limit)

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

    # --- internals -----------------------------------------------------------------------------------------

    def _goal_as_of(self, goal_id: UUID, as_of: datetime) -> Goal:
        """The goal as it stood at a past moment. A goal with few events folds them all; a longer one (more than a
        snapshot interval) is found by halving (the version at that moment, one event read per step) and then read
        at that version, from its latest snapshot there: a few dozen events read whatever the goal's history, where
        folding them all grew with it (issue 28: an as_of read of a goal with 100,000 readings took seconds)."""
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)  # a moment without a zone is read as UTC
        last = self.recorder.select_events(goal_id, desc=True, limit=1)
        if not last:
            raise GoalNotFoundError(goal_id)  # not drafted at all, not merely later
        if last[0].originator_version <= self.settings.snapshot_interval:
            events = self.goal_events(goal_id, until=as_of)
            goal: object = project_aggregate(None, events) if events else None
        else:
            version = self._version_at(goal_id, as_of, last[0].originator_version)
            goal = self.get_goal(goal_id, version=version) if version else None
        if goal is None:
            raise GoalNotFoundError(goal_id, f" as of {as_of.isoformat()} (it was drafted later)")
        assert isinstance(goal, Goal)
        return goal

    def _version_at(self, goal_id: UUID, moment: datetime, head: int) -> int:
        """The goal's last version stored at or before the moment (0: none yet). Its events' timestamps rise with
        their versions, as folding up to a moment has always assumed."""
        def stamped(version: int) -> datetime:
            event = next(iter(self.events.get(goal_id, gt=version - 1, lte=version)), None)
            if not isinstance(event, Goal.Event):
                raise GoalNotFoundError(goal_id)  # the id of another aggregate in the log (ADR 0022), or a gap
            return event.timestamp

        low, high = 0, head  # the answer lies in [low, high]; version `low` is known to be at or before the moment
        while low < high:
            middle = (low + high + 1) // 2
            if stamped(middle) <= moment:
                low = middle
            else:
                high = middle - 1
        return low

    def _command(
        self,
        goal_id: UUID,
        actor: Actor,
        name: str,
        payload: dict[str, Any],
        expected_version: int | None,
        idempotency_key: str | None,
        act: Callable[[Goal], object],
        check: Check | None = None, cycle_allows: Callable[[CycleAggregate], None] = CycleAggregate.require_unlocked,
    ) -> CommandResult:
        """Load the goal once: the caller's check, the command and the caller's answer all use that one goal.
        Without an expected version, writes to the goal take turns and retry (application/goals/turns.py)."""

        def attempt() -> CommandResult:
            goal = self.get_goal(goal_id)
            if check is not None:
                check(goal)
            if expected_version is not None and goal.version != expected_version:
                raise VersionMismatchError(goal_id, expected_version, goal.version)
            checks.require_cycle_unlocked(self.repository, goal.cycle.id, cycle_allows)
            reference = act(goal)
            position = self.save_at(goal)  # IntegrityError when another writer stored this version first
            return CommandResult(
                str(goal_id), goal.version, reference if isinstance(reference, str) else None, position, goal
            )

        def execute() -> CommandResult:
            return self.write_turns.write(goal_id, attempt, expects_version=expected_version is not None)

        return self._answered(
            self.once(actor, idempotency_key, name, {"goal_id": str(goal_id), **payload}, execute), check
        )

    def _answered(self, result: CommandResult, check: Check | None) -> CommandResult:
        """The result with the goal as the command left it; a replayed key loads it (once: nothing ran again)."""
        if result.goal is not None:
            return result
        goal = self.get_goal(UUID(result.goal_id), version=result.version)
        if check is not None:
            check(goal)
        return replace(result, goal=goal)

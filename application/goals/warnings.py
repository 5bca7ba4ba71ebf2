"""The ledger of early warnings: records each warning once in its goal's GoalWarnings aggregate (ADR 0024).

Called by the notifier (projections/notices/), which derives the warnings; this is the layer that loads and saves.
A warning emitted already is skipped; a save that loses a race to another notifier is retried on the reloaded
aggregate, which then knows the warning and skips it.
"""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.goals.service import RETRIES_WITHOUT_EXPECTED_VERSION, Goals
from application.goals.history import TrailEntry
from application.goals.saving import save_at
from application.events.serialization import event_data, event_type
from domain.goal_warnings import EarlyWarning, Evidence, GoalWarnings, warnings_id
from domain.values import Actor, Role

NOTIFIER = Actor("goalengine-notifier", Role.SERVICE)


class WarningLedger:
    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def record(self, goal_id: str, warning: EarlyWarning, evidence: Evidence, *, today: date) -> int | None:
        """Emit the warning unless it was emitted before; the log position of the new event, or None."""
        for attempt in range(1, RETRIES_WITHOUT_EXPECTED_VERSION + 1):
            warnings = self.of(goal_id) or GoalWarnings.open(goal_id, NOTIFIER)
            if not warnings.warn(warning, evidence, NOTIFIER, today=today):
                return None
            try:
                return save_at(self.goals, warnings)
            except IntegrityError:
                if attempt == RETRIES_WITHOUT_EXPECTED_VERSION:
                    raise
        raise AssertionError("unreachable")

    def trail(self, goal_id: str, until: datetime | None = None) -> list[TrailEntry]:
        """The goal's warnings in order (up to a moment, if given), as trail entries: what each said, no changes."""
        stored = self.goals.events.get(warnings_id(goal_id))
        return [
            TrailEntry(type=event_type(e), version=e.originator_version, timestamp=e.timestamp.isoformat(),
                       actor_id=e.actor_id, actor_role=e.actor_role, data=event_data(e))
            for e in stored
            if isinstance(e, GoalWarnings.Event) and not isinstance(e, GoalWarnings.Opened)
            and (until is None or e.timestamp <= until)
        ]

    def of(self, goal_id: str) -> GoalWarnings | None:
        """The goal's warnings so far, or None before the first."""
        try:
            found: object = self.goals.repository.get(warnings_id(goal_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(found, GoalWarnings)
        return found

"""Which events a consumer wants beside their types: some goals (subjects), one cycle, one org unit (ADR 0018).

The cycle and org unit are the goal's as they stand now: a goal's cycle never changes and its org unit only while
it is a draft, so an event of an agreed goal never moves in or out of a filter. An event of another aggregate
(ADR 0022) is judged by the goal it names (its CloudEvents subject), or, naming none, by its own `cycle` (or
`cycle_id`) and `org_unit` fields: an event that has neither passes no filter that narrows by them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from application.errors import GoalNotFoundError
from application.events.cloudevents import is_goal_event, subject_of
from application.goals.service import Goals, LoggedEvent

MAX_SUBJECTS = 100


class InvalidEventFilterError(ValueError):
    code = "invalid_event_filter"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EventFilter:
    subjects: tuple[str, ...] = ()  # goal ids; empty: every goal
    cycle: str | None = None
    org_unit: str | None = None

    @classmethod
    def parse(cls, subjects: Iterable[str] = (), cycle: str | None = None, org_unit: str | None = None
              ) -> EventFilter:
        """A filter from what a caller sent; goal ids must be UUIDs (InvalidEventFilterError names the bad one)."""
        ids = []
        for subject in subjects:
            try:
                ids.append(str(UUID(subject.strip())))
            except ValueError:
                raise InvalidEventFilterError(f"subject {subject!r} is not a goal id (a UUID)") from None
        if len(set(ids)) > MAX_SUBJECTS:
            raise InvalidEventFilterError(f"at most {MAX_SUBJECTS} subjects may be named")
        return cls(tuple(sorted(set(ids))), cycle or None, org_unit or None)

    @property
    def narrows_by_goal(self) -> bool:
        return self.cycle is not None or self.org_unit is not None

    def select(self, goals: Goals, events: Iterable[LoggedEvent]) -> Iterator[LoggedEvent]:
        """The events that pass; each goal's cycle and org unit are looked up once per call."""
        if not self.subjects and not self.narrows_by_goal:
            yield from events
            return
        wanted = set(self.subjects)
        verdicts: dict[str, bool] = {}
        for logged in events:
            subject = subject_of(logged.event)
            if wanted and subject not in wanted:
                continue
            if self.narrows_by_goal:
                if not self._names_a_goal(logged):
                    if self._fields_pass(logged):
                        yield logged
                    continue
                if subject not in verdicts:
                    verdicts[subject] = self._goal_passes(goals, subject)
                if not verdicts[subject]:
                    continue
            yield logged

    @staticmethod
    def _names_a_goal(logged: LoggedEvent) -> bool:
        return is_goal_event(logged.event) or bool(getattr(logged.event, "goal_id", None))

    def _fields_pass(self, logged: LoggedEvent) -> bool:
        cycle = getattr(logged.event, "cycle", None) or getattr(logged.event, "cycle_id", None)
        org_unit = getattr(logged.event, "org_unit", None)
        cycle_id = cycle.get("id") if isinstance(cycle, dict) else cycle
        if self.cycle is not None and cycle_id != self.cycle:
            return False
        return self.org_unit is None or org_unit == self.org_unit

    def _goal_passes(self, goals: Goals, goal_id: str) -> bool:
        try:
            goal = goals.get_goal(UUID(goal_id))
        except (GoalNotFoundError, ValueError):
            return False
        if self.cycle is not None and goal.cycle.id != self.cycle:
            return False
        return self.org_unit is None or goal.org_unit == self.org_unit

"""Which goal events a consumer wants beside their types: some goals (subjects), one cycle, one org unit (ADR 0018).

The cycle and org unit are the goal's as they stand now: a goal's cycle never changes and its org unit only while
it is a draft, so an event of an agreed goal never moves in or out of a filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

from application.errors import GoalNotFoundError
from application.goals import Goals, LoggedEvent

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
            goal_id = str(logged.event.originator_id)
            if wanted and goal_id not in wanted:
                continue
            if self.narrows_by_goal:
                if goal_id not in verdicts:
                    verdicts[goal_id] = self._goal_passes(goals, goal_id)
                if not verdicts[goal_id]:
                    continue
            yield logged

    def _goal_passes(self, goals: Goals, goal_id: str) -> bool:
        try:
            goal = goals.get_goal(UUID(goal_id))
        except GoalNotFoundError:
            return False
        if self.cycle is not None and goal.cycle.id != self.cycle:
            return False
        return self.org_unit is None or goal.org_unit == self.org_unit

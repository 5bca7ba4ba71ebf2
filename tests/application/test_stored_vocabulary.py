"""Replay reads stored strings through domain.stored's vocabulary, never through today's enum values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from application.goals.service import Goals
from application.store.settings import Settings
from domain import stored
from domain.errors import UnknownStoredValueError
from domain.goal import Goal
from domain.values import Outcome
from tests.conftest import Clock
from tests.scenarios import HR, agreed, customer_service_terms

RETIRED = "met_in_part"  # as if an older release had stored this for what is now partially_achieved


@pytest.fixture
def renamed_outcome() -> Iterator[None]:
    stored.register_renamed_value(Outcome, RETIRED, Outcome.PARTIALLY_ACHIEVED)
    yield
    del stored.VOCABULARY[Outcome][RETIRED]


def test_every_member_of_every_stored_enum_has_its_stored_string() -> None:
    for kind, vocabulary in stored.VOCABULARY.items():
        assert set(vocabulary.values()) == set(kind), kind.__name__


def test_a_goal_closed_with_a_retired_value_still_loads_as_the_value_it_became(
    settings: Settings, renamed_outcome: None
) -> None:
    writer = Goals(settings, today=Clock(date(2026, 1, 15)))
    goal_id = agreed(writer, customer_service_terms())
    goal = writer.get_goal(goal_id)
    goal.trigger_event(Goal.Closed, outcome=RETIRED, summary="18 tickets a day.", actor_id=HR.id, actor_role="hr")
    writer.save(goal)
    writer.close()
    reader = Goals(settings)  # a fresh process: nothing cached
    try:
        assert reader.get_goal(goal_id).outcome is Outcome.PARTIALLY_ACHIEVED
        [closed] = [e for e in reader.goal_events(goal_id) if isinstance(e, Goal.Closed)]
        assert closed.outcome == RETIRED  # the stored bytes are untouched
    finally:
        reader.close()


def test_a_stored_value_nobody_knows_stops_replay_loudly(settings: Settings, renamed_outcome: None) -> None:
    writer = Goals(settings, today=Clock(date(2026, 1, 15)))
    goal_id = agreed(writer, customer_service_terms())
    goal = writer.get_goal(goal_id)
    goal.trigger_event(Goal.Closed, outcome=RETIRED, summary="18 tickets a day.", actor_id=HR.id, actor_role="hr")
    writer.save(goal)
    writer.close()
    del stored.VOCABULARY[Outcome][RETIRED]
    reader = Goals(settings)
    try:
        with pytest.raises(UnknownStoredValueError, match=f"Outcome '{RETIRED}'"):
            reader.get_goal(goal_id)
    finally:
        reader.close()
        stored.register_renamed_value(Outcome, RETIRED, Outcome.PARTIALLY_ACHIEVED)

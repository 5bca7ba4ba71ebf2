"""Hypothesis: whatever links are asked for, the goals accepted never align to each other in a circle."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from hypothesis import given
from hypothesis import strategies as st

from application.goals.checks import require_alignment
from domain.errors import AlignmentCycleError
from domain.goal import Goal
from tests.domain.support import drafted

GOALS = 6


class Repository:
    """The goals by id, as the application's repository hands them out (no store needed for the rule)."""

    def __init__(self, goals: list[Goal]) -> None:
        self.goals = {goal.id: goal for goal in goals}

    def get(self, aggregate_id: UUID, **_options: object) -> Goal:
        if aggregate_id not in self.goals:
            raise AggregateNotFoundError(aggregate_id)
        return self.goals[aggregate_id]


def parents(goal: Goal, repository: Repository) -> list[UUID]:
    """The chain of goals above `goal`, stopping at a repeat (which would be a circle)."""
    chain: list[UUID] = []
    current = goal.parent_goal_id
    while current is not None and UUID(current) in repository.goals and UUID(current) not in chain:
        chain.append(UUID(current))
        current = repository.goals[UUID(current)].parent_goal_id
    return chain


@given(st.lists(st.tuples(st.integers(0, GOALS - 1), st.integers(0, GOALS - 1)), max_size=25))
def test_accepted_links_never_make_a_circle(links: list[tuple[int, int]]) -> None:
    goals = [drafted() for _ in range(GOALS)]
    repository = Repository(goals)
    for child, parent in links:
        goal, target = goals[child], str(goals[parent].id)
        try:
            require_alignment(repository, target, goal.id)  # type: ignore[arg-type]
        except AlignmentCycleError:
            continue
        goal.terms = replace(goal.terms, parent_goal_id=target)
        for each in goals:
            above = parents(each, repository)
            assert each.id not in above, "a goal ended up above itself"
            last = repository.goals[above[-1]] if above else each
            assert last.parent_goal_id is None or UUID(last.parent_goal_id) not in above

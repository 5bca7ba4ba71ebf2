"""Builders and a refusal check for unit tests of the Goal aggregate (no store involved)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import GoalError
from domain.goal import Goal
from domain.recalibration import Changes
from domain.values import Actor, Role, Status
from tests.scenarios import HR, MANAGER, customer_service_terms, drafting

# The business date the unit tests act on, unless a test says otherwise: inside the H1 2026 cycle.
TODAY = date(2026, 1, 15)


def drafted(terms: dict[str, Any] | None = None) -> Goal:
    """A draft goal whose Drafted event has been collected, as if it had been saved."""
    terms = terms or customer_service_terms()
    goal = Goal.draft(actor=Actor(terms["owner_id"], Role.EMPLOYEE), **drafting(terms))
    goal.collect_events()
    return goal


def agreed(terms: dict[str, Any] | None = None) -> Goal:
    goal = drafted(terms)
    goal.sign(Actor(goal.owner_id, Role.EMPLOYEE), today=TODAY)
    goal.sign(Actor(goal.manager_id, Role.MANAGER), today=TODAY)
    goal.collect_events()
    return goal


def propose_on(goal: Goal, actor: Actor, reason: str, justification: str, *, today: date = TODAY,
               targets: Any = None, deadline: date | None = None, milestones: Any = ()) -> str:
    """A proposal as the application hands it to the aggregate: the caller's fields read into typed changes."""
    return goal.propose_recalibration(actor, reason, justification, Changes.proposed(targets, deadline, milestones),
                                      today)


def agreed_milestone(goal: Goal, kpi: str, due: date, target: Decimal, today: date = TODAY) -> str:
    """After agreement a milestone holds once both parties have set it: the manager proposes, the owner confirms. On a
    draft it holds at once (the signatures agree to it), and setting it again is refused."""
    set_by_the_manager = goal.set_milestone(kpi, due, target, Actor(goal.manager_id, Role.MANAGER), today=today)
    if goal.status is Status.DRAFT:
        return set_by_the_manager
    return goal.set_milestone(kpi, due, target, Actor(goal.owner_id, Role.EMPLOYEE), today=today)


def with_pending_recalibration(goal: Goal | None = None) -> tuple[Goal, str]:
    goal = goal or agreed()
    recalibration_id = propose_on(
        goal, MANAGER, "external_factor", "A supplier outage halted deliveries for a month.",
        targets={"tickets": {"target": Decimal(18)}}, today=TODAY,
    )
    goal.collect_events()
    return goal, recalibration_id


def closed(outcome: str = "achieved") -> Goal:
    goal = agreed()
    goal.close(outcome, "Reached 20 tickets a day at 91% CSAT.", HR)
    goal.collect_events()
    return goal


def event_names(goal: Goal) -> list[str]:
    return [type(e).__name__ for e in goal.collect_events()]


@contextmanager
def refused(goal: Goal, error: type[GoalError], *named: str) -> Iterator[pytest.ExceptionInfo[GoalError]]:
    """The block raises `error`, whose message names each of `named`, and the goal triggers no event."""
    version, pending, state = goal.version, list(goal.pending_events), deepcopy(vars(goal))
    with pytest.raises(error) as caught:
        yield caught
    assert caught.value.code == error.code
    for text in named:
        assert text in caught.value.message, f"{text!r} not named in {caught.value.message!r}"
    assert goal.version == version
    assert goal.pending_events == pending
    assert vars(goal) == state

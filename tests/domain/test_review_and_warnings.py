"""The Review and GoalWarnings aggregates on their own: invariants under any sequence of steps (Hypothesis), and
cadence arithmetic at month ends."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.cadence import next_reading_due
from domain.errors import GoalError
from domain.goal_warnings import Evidence, GoalWarnings, MissedMilestone, OverdueReading, PaceChange
from domain.review import Review
from domain.review_values import DecisionBasis, Stage
from domain.values import Actor, Cadence, Role
from tests.lifecycles import REVIEW_BANDS

EMPLOYEE, MANAGER, HR = Actor("emp-1", Role.EMPLOYEE), Actor("mgr-1", Role.MANAGER), Actor("hr-7", Role.HR)
ACTORS = st.sampled_from([EMPLOYEE, MANAGER, HR, Actor("emp-9", Role.EMPLOYEE)])
BANDS = st.sampled_from([*REVIEW_BANDS, "superb"])
TEXTS = st.sampled_from(["Because.", "", " "])
BASIS = DecisionBasis("2026.1", "sha256:" + "2" * 64, 5, "meets_expectations", REVIEW_BANDS, frozenset({"mgr-1"}))
STEPS = st.one_of(
    st.tuples(st.just("decide"), ACTORS, BANDS, TEXTS),
    st.tuples(st.just("assess"), ACTORS, TEXTS),
    st.tuples(st.just("acknowledge"), ACTORS),
    st.tuples(st.just("dispute"), ACTORS, TEXTS),
    st.tuples(st.just("resolve"), ACTORS, st.sampled_from(["upheld", "changed", "maybe"]), BANDS, TEXTS),
)


def take(review: Review, step: tuple[object, ...]) -> None:
    name, actor, *rest = step
    assert isinstance(actor, Actor)
    if name == "decide":
        review.decide(str(rest[0]), "Summary.", str(rest[1]), BASIS, actor)
    elif name == "assess":
        review.assess_self(str(rest[0]), actor)
    elif name == "acknowledge":
        review.acknowledge(actor)
    elif name == "dispute":
        review.raise_dispute(str(rest[0]), actor)
    else:
        review.resolve_dispute(f"d{len(review.disputes)}", str(rest[0]), str(rest[1]), str(rest[2]), actor)


@settings(max_examples=200, deadline=None)
@given(st.lists(STEPS, max_size=12))
def test_any_sequence_of_steps_keeps_the_review_consistent(steps: list[tuple[object, ...]]) -> None:
    review = Review.open("emp-1", "2026-H1", EMPLOYEE)
    for step in steps:
        settled_before = review.stage in (Stage.ACKNOWLEDGED, Stage.RESOLVED)
        version = review.version
        try:
            take(review, step)
        except GoalError:
            assert review.version == version  # a refused step changes nothing
            continue
        assert review.version == version + 1 and not settled_before  # a settled review takes no step
    decision = review.decision
    assert review.final_band is None if decision is None else review.final_band in REVIEW_BANDS
    if decision is not None:
        assert decision.decided_by == "mgr-1"
        if decision.band != decision.computed_band:  # an override always carries its reason
            assert decision.override_reason and decision.override_reason.strip()
    assert all(d.resolved_by in (None, "hr-7") for d in review.disputes)
    assert sum(d.outcome is None for d in review.disputes) == (review.stage is Stage.DISPUTED)


def test_a_warning_is_emitted_once_and_never_from_an_earlier_position() -> None:
    warnings = GoalWarnings.open("g", Actor("notifier", Role.SERVICE))
    notifier = Actor("notifier", Role.SERVICE)
    overdue = OverdueReading("tickets", "weekly", None, date(2026, 1, 22))
    assert warnings.warn(overdue, Evidence(7, ("g:4",)), notifier, today=date(2026, 1, 23))
    assert not warnings.warn(overdue, Evidence(9, ("g:4",)), notifier, today=date(2026, 1, 24))
    assert warnings.warn(PaceChange("behind"), Evidence(9, ("g:4",)), notifier, today=date(2026, 1, 24))
    missed = MissedMilestone("tickets@2026-01-20", "tickets", date(2026, 1, 20), Decimal(17), None)
    assert not warnings.warn(missed, Evidence(8, ("g:5",)), notifier, today=date(2026, 1, 24))  # replayed: earlier
    assert not warnings.warn(PaceChange("behind"), Evidence(10, ("g:6",)), notifier, today=date(2026, 1, 25))
    assert warnings.warn(PaceChange("on_track"), Evidence(10, ("g:6",)), notifier, today=date(2026, 1, 25))


def test_a_look_on_a_later_date_from_the_same_position_outranks_the_events_own_date() -> None:
    # The day's look at every goal reads from the position of the last event, which the fold judged on its own date;
    # a second notifier still folding that event (it lost the race to move the position) is behind that look.
    warnings = GoalWarnings.open("g", Actor("notifier", Role.SERVICE))
    notifier = Actor("notifier", Role.SERVICE)
    assert warnings.warn(PaceChange("at_risk"), Evidence(12, ("g:7",)), notifier, today=date(2026, 2, 1))
    assert warnings.warn(PaceChange("behind"), Evidence(12, ("g:7",)), notifier, today=date(2026, 2, 5))
    assert not warnings.warn(PaceChange("at_risk"), Evidence(12, ("g:7",)), notifier, today=date(2026, 2, 1))
    assert warnings.warn(PaceChange("at_risk"), Evidence(13, ("g:8",)), notifier, today=date(2026, 2, 1))


@pytest.mark.parametrize(("last", "cadence", "due"), [
    (date(2026, 1, 20), Cadence.WEEKLY, date(2026, 1, 27)),
    (date(2026, 1, 31), Cadence.MONTHLY, date(2026, 2, 28)),
    (date(2026, 11, 30), Cadence.QUARTERLY, date(2027, 2, 28)),
    (date(2026, 12, 15), Cadence.MONTHLY, date(2027, 1, 15)),
])
def test_the_next_reading_is_due_a_cadence_period_after_the_last(last: date, cadence: Cadence, due: date) -> None:
    assert next_reading_due(last, cadence) == due

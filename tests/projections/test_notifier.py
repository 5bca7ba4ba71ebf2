"""Early warnings: an overdue reading, a missed milestone and a change of pace each raise exactly one notice,
also when the notifier restarts or crashes between recording a notice and moving its position."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.goals.warnings import WarningLedger
from application.goals.service import Goals
from domain.goal_warnings import GoalWarnings
from api.bootstrap import notifier_for
from api.bootstrap import projector_for
from tests.conftest import Clock
from tests.projections.conftest import OnDay
from tests.scenarios import EMPLOYEE, agree_milestone, agreed, customer_service_terms


def notices(goals: Goals, goal_id: UUID) -> list[GoalWarnings.Event]:
    warnings = WarningLedger(goals).of(str(goal_id))
    if warnings is None:
        return []
    return [e for e in goals.events.get(warnings.id) if not isinstance(e, GoalWarnings.Opened)]


def agreed_with_a_reading(goals: Goals, on_day: OnDay) -> UUID:
    with on_day(date(2026, 1, 15)):
        goal_id = agreed(goals, customer_service_terms())
    with on_day(date(2026, 1, 20)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 20))
    return goal_id


def test_a_weekly_reading_overdue_raises_one_notice_even_after_a_restart(goals: Goals, on_day: OnDay,
                                                                         clock: Clock) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    with on_day(date(2026, 1, 27)):
        assert notifier_for(goals).step() == 0  # due by the 27th: not overdue yet
    with on_day(date(2026, 1, 28)):
        assert notifier_for(goals).step() == 1
        assert notifier_for(goals).step() == 0  # a new notifier on the same store: nothing again
    with on_day(date(2026, 1, 29)):
        assert notifier_for(goals).step() == 0  # the same missing reading is not news
    (notice,) = notices(goals, goal_id)
    assert isinstance(notice, GoalWarnings.ReadingOverdue)
    assert (notice.goal_id, notice.kpi, notice.cadence) == (str(goal_id), "tickets", "weekly")
    assert (notice.last_observed_at, notice.due_by, notice.noticed_on) == (date(2026, 1, 20), date(2026, 1, 27),
                                                                           date(2026, 1, 28))
    reading_version = goals.readings(goals.get_goal(goal_id))[0].version
    assert notice.evidence == [f"{goal_id}:{reading_version}"] and notice.evidence_position > 0


def test_a_new_reading_after_a_notice_resets_the_cadence(goals: Goals, on_day: OnDay) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    with on_day(date(2026, 1, 28)):
        notifier_for(goals).step()
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 1, 28))
        assert notifier_for(goals).step() == 0
    with on_day(date(2026, 2, 5)):
        notifier_for(goals).step()  # due by 4 February after the reading of the 28th
    overdue = [n for n in notices(goals, goal_id) if isinstance(n, GoalWarnings.ReadingOverdue)]
    assert [(n.kpi, n.due_by) for n in overdue] == [("tickets", date(2026, 1, 27)), ("tickets", date(2026, 2, 4))]


def test_a_crash_between_a_notice_and_the_position_neither_repeats_nor_skips(
    goals: Goals, on_day: OnDay, monkeypatch: pytest.MonkeyPatch,
) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    with on_day(date(2026, 3, 2)):
        agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 10), target=Decimal(17))
    crashing = notifier_for(goals)

    def crash(*_args: object) -> None:
        raise RuntimeError("killed before the position moved")

    monkeypatch.setattr(crashing, "_commit", crash)
    with on_day(date(2026, 3, 12)), pytest.raises(RuntimeError):
        crashing.step()
    emitted_before_the_crash = len(notices(goals, goal_id))
    assert emitted_before_the_crash >= 1 and crashing.position() == 0
    with on_day(date(2026, 3, 12)):
        notifier_for(goals).step()
    emitted = notices(goals, goal_id)
    assert len(emitted) > emitted_before_the_crash  # the restart went on where the crash stopped
    overdue = [(n.kpi, n.due_by) for n in emitted if isinstance(n, GoalWarnings.ReadingOverdue)]
    missed = [n.milestone_id for n in emitted if isinstance(n, GoalWarnings.MilestoneMissed)]
    paces = [(n.pace_before, n.pace) for n in emitted if isinstance(n, GoalWarnings.PaceChanged)]
    assert len(overdue) == len(set(overdue)) and missed == ["tickets@2026-03-10"]
    assert all(before != after for before, after in paces)  # each a change, none repeated
    assert [before for before, _ in paces] == ["on_track", *[after for _, after in paces][:-1]]
    positions = [n.evidence_position for n in notices(goals, goal_id)]
    assert positions == sorted(positions)  # in log order


def test_a_missed_milestone_names_the_milestone_and_its_evidence(goals: Goals, on_day: OnDay) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    with on_day(date(2026, 1, 21)):
        agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 1, 25), target=Decimal(17))
    with on_day(date(2026, 1, 26)):
        notifier_for(goals).step()
    (missed,) = [n for n in notices(goals, goal_id) if isinstance(n, GoalWarnings.MilestoneMissed)]
    assert (missed.milestone_id, missed.target, missed.reading) == ("tickets@2026-01-25", Decimal(17), Decimal(15))
    assert len(missed.evidence) == 2


def test_the_leading_projector_of_goalengine_serve_runs_the_notifier(goals: Goals, on_day: OnDay) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    projector = projector_for(goals, notices=True)
    try:
        with on_day(date(2026, 1, 28)):
            projector.round()  # leads (nobody else does), projects, then runs its duties: the notifier
        assert [type(n).__name__ for n in notices(goals, goal_id)] == ["ReadingOverdue"]
    finally:
        projector.coordination.close()


def test_a_notifier_limited_to_one_batch_a_step_goes_on_where_it_stopped(goals: Goals, on_day: OnDay) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    notifier = notifier_for(goals, batch_size=2)
    with on_day(date(2026, 1, 28)):
        notifier.step(max_batches=1)
        assert notifier.position() == 2 and notices(goals, goal_id) == []  # the look at today waits
        while notifier.position() < goals.head_position():
            notifier.step(max_batches=1)
        notifier.step(max_batches=1)
    assert [type(n).__name__ for n in notices(goals, goal_id)] == ["ReadingOverdue"]


def test_two_notifiers_racing_on_one_store_emit_each_warning_once(goals: Goals, on_day: OnDay, clock: Clock) -> None:
    goal_id = agreed_with_a_reading(goals, on_day)
    other = Goals(goals.settings, today=clock)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run(app: Goals) -> None:
        try:
            notifier = notifier_for(app)
            start.wait(timeout=30)
            notifier.step()
        except BaseException as error:  # reported below: a thread's exception would otherwise vanish
            failures.append(error)

    try:
        with on_day(date(2026, 2, 5)):
            threads = [threading.Thread(target=run, args=(app,)) for app in (goals, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
    finally:
        other.close()
    assert failures == []
    emitted = notices(goals, goal_id)
    keys = [(type(n).__name__, getattr(n, "kpi", None), getattr(n, "pace", None)) for n in emitted]
    assert len(keys) == len(set(keys)) and ("ReadingOverdue", "tickets", None) in keys

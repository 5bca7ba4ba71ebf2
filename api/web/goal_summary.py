"""The sentence at the top of a goal page: where the goal stands against its pace, how long is left, what comes next.

It reads the goal's review (projections/review/view.py goal_review, folded from the goal's events up to the moment
shown), the same figures the review page and the home page show, so the three cannot disagree; the pace word is
views.shown_pace's, which never says "On track" without a reading or with no progress at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from api.web.milestone_views import with_unit
from api.web.timeline import long_day
from api.web.views import percent, shown_pace, words
from application.events.serialization import EventRecord
from domain.goal import Goal
from projections.review.state import fold
from projections.review.view import goal_review


def goal_review_at(events: list[Goal.Event], day: date) -> dict[str, Any] | None:
    """The goal as a reviewer reads it on `day`, from its events (those up to the moment shown)."""
    state = fold(EventRecord.of(event) for event in events)
    return goal_review(state, day) if state is not None else None


def summary(review: dict[str, Any], day: date, as_of: datetime | None) -> dict[str, Any]:
    """The pace shown, and the summary's sentences."""
    pace = shown_pace(review)
    when = "today" if as_of is None else long_day(day)
    sentences = [_standing(review, pace, day, when)]
    if review["status"] == "agreed":
        sentences += [_time_left(review, day), _next_milestone(review, day)]
    return {"pace": pace, "sentences": [s for s in sentences if s]}


def _standing(review: dict[str, Any], pace: str | None, day: date, when: str) -> str:
    status, attainment = review["status"], percent(review["attainment"])
    if status == "draft":
        return "A draft: it counts once both the employee and the manager have signed it."
    if status == "closed":
        outcome = review["outcome"] or {}
        return f"Closed as {words(outcome.get('outcome'))} on {long_day(outcome.get('closed_at', day), day.year)}."
    if pace == "no_readings":
        return f"No reading recorded by {when}: progress cannot be judged until the first one."
    if pace == "overdue":
        return f"Overdue: the deadline was {long_day(review['deadline'], day.year)} and the goal is not closed."
    expected = [k["expected_progress"] for k in review["kpis"] if k["expected_progress"] is not None]
    share = f", where about {percent(sum(expected) / len(expected))} was expected by {when}" if expected else ""
    return f"{attainment} of the way to the target{share}."


def _time_left(review: dict[str, Any], day: date) -> str:
    deadline = date.fromisoformat(review["deadline"])
    left = (deadline - day).days
    if left < 0:
        return ""
    if left == 0:
        return "The deadline is today."
    return f"{left} day{'s' if left != 1 else ''} left until the deadline on {long_day(deadline, day.year)}."


def _next_milestone(review: dict[str, Any], day: date) -> str:
    kpis = {k["kpi"]: k for k in review["kpis"]}
    pending = sorted((m for m in review["milestones"] if m["status"] == "pending"), key=lambda m: m["due"])
    missed = sum(m["status"] == "missed" for m in review["milestones"])
    said = f"{missed} milestone{'s' if missed != 1 else ''} missed. " if missed else ""
    if pending:
        m = pending[0]
        kpi = kpis.get(m["kpi"], {"name": m["kpi"], "unit": ""})
        return (f"{said}Next milestone: {kpi['name']} at {with_unit(m['target'], kpi['unit'])} by "
                f"{long_day(m['due'], day.year)}.")
    return said.strip()

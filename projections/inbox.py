"""The inbox: what waits for one person now, derived from the goals, the cycles and the reviews (nothing stored).

Kinds: `sign_draft` (a draft of theirs lacks their signature), `reading_due` (a KPI of their agreed goal is due by
its cadence), `warning` (an early warning on a goal they manage, ADR 0024, noticed in the last fortnight),
`acknowledge_decision` (their rating is released and waits for their answer), `resolve_dispute` and
`decide_recalibration` (HR's). Each item has a title in words, a link to the page where it is done, and `since`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from uuid import UUID
from urllib.parse import quote

from application.cycles.service import Cycles
from application.goals.recalibration_queue import pending_recalibrations
from application.goals.service import Goals
from application.reviews.records import ReviewRecords
from domain.goal import Goal
from domain.goal_warnings import GoalWarnings, warnings_id
from domain.review import Review
from domain import rules
from domain.review_values import Stage
from domain.values import Actor, Cadence, Status
from projections.goal_index import list_goals

KINDS = ("sign_draft", "reading_due", "warning", "acknowledge_decision", "resolve_dispute", "decide_recalibration")
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 31, Cadence.QUARTERLY: 92}
WARNINGS_FOR_DAYS = 14
Item = dict[str, Any]


def item(kind: str, title: str, link: str, since: date | str, **extra: Any) -> Item:
    return {"kind": kind, "title": title, "link": link, "since": str(since), **extra}


def inbox(goals: Goals, actor: Actor) -> list[Item]:
    """Everything waiting for the actor, oldest first."""
    items: list[Item] = []
    if rules.holds_goals(actor):
        items += goal_items(goals, actor)
        items += decisions_to_acknowledge(goals, actor)
    if rules.resolves_disputes(actor):
        items += disputes_to_resolve(goals) + recalibrations_to_decide(goals)
    return sorted(items, key=lambda i: (i["since"], i["kind"], i["title"]))


def goal_items(goals: Goals, actor: Actor) -> list[Item]:
    today, items = goals.today(), []
    for row in rows_of(goals, actor):
        if row["status"] not in (Status.DRAFT, Status.AGREED):
            continue
        goal = goals.get_goal(UUID(row["goal_id"]))
        items += signature_wanted(goal, actor) + readings_due(goal, actor, today)
        if goal.manager_id == actor.id and goal.status == Status.AGREED:
            items += recent_warnings(goals, goal, today)
    return items


def rows_of(goals: Goals, actor: Actor) -> Iterator[dict[str, Any]]:
    """The goal-index rows the actor owns, and those they manage (one row once)."""
    seen: set[str] = set()
    for column in ("owner_id", "manager_id"):
        cursor = None
        while True:
            page = list_goals(goals.engine, {column: actor.id}, 200, cursor)
            for row in page.items:
                if row["goal_id"] not in seen:
                    seen.add(row["goal_id"])
                    yield row
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


def goal_link(goal: Goal, anchor: str = "") -> str:
    return f"/workspace/goals/{goal.id}" + (f"#{anchor}" if anchor else "")


def signature_wanted(goal: Goal, actor: Actor) -> list[Item]:
    party = goal.party_of(actor)
    if goal.status != Status.DRAFT or party is None or party in goal.signatures:
        return []
    return [item("sign_draft", f"Sign the draft “{goal.title}”", goal_link(goal, "signatures"),
                 goal.created_on.date(), goal_id=str(goal.id))]


def readings_due(goal: Goal, actor: Actor, today: date) -> list[Item]:
    """The owner's KPIs whose cadence has passed since their last reading (or since agreement)."""
    if goal.status != Status.AGREED or goal.owner_id != actor.id:
        return []
    items = []
    for kpi in goal.kpis:
        last = goal.readings.last_day(kpi.id)
        start = last or goal.cycle.start  # no reading yet: due one cadence into the period
        due = start + timedelta(days=CADENCE_DAYS[kpi.cadence])
        if due <= today:
            items.append(item("reading_due", f"Record a reading of {kpi.name} for “{goal.title}”",
                              goal_link(goal, "kpis"), due, goal_id=str(goal.id), kpi=kpi.id))
    return items


def recent_warnings(goals: Goals, goal: Goal, today: date) -> list[Item]:
    items = []
    for event in goals.events.get(warnings_id(str(goal.id))):
        noticed = getattr(event, "noticed_on", None)
        if noticed is None or (today - noticed).days > WARNINGS_FOR_DAYS:
            continue
        if isinstance(event, GoalWarnings.ReadingOverdue):
            kpi = next((k.name for k in goal.kpis if k.id == event.kpi), event.kpi)  # the KPI's name, not its id
            title = f"“{goal.title}”: no reading of {kpi} since it was due on {event.due_by}"
        elif isinstance(event, GoalWarnings.PaceChanged):
            title = f"“{goal.title}” is now {event.pace.replace('_', ' ')}"
        elif isinstance(event, GoalWarnings.MilestoneMissed):
            title = f"“{goal.title}” missed its milestone of {event.due}"
        else:
            continue
        items.append(item("warning", title, goal_link(goal), noticed, goal_id=str(goal.id)))
    return items


def review_link(employee_id: str, cycle_id: str) -> str:
    return f"/workspace/reviews/{quote(employee_id, safe='')}?cycle={quote(cycle_id, safe='')}#steps"


def decisions_to_acknowledge(goals: Goals, actor: Actor) -> list[Item]:
    decisions, items = ReviewRecords(goals), []
    for cycle in Cycles(goals).list_cycles():
        review = decisions.review(actor.id, cycle.cycle_id) if cycle.ratings_released else None
        if review is not None and review.stage is Stage.DECIDED and review.decision is not None:
            items.append(item("acknowledge_decision", f"Your rating for {cycle.name} is released: acknowledge "
                              "or dispute it", review_link(actor.id, cycle.cycle_id),
                              review.decision.decided_at.date(), cycle=cycle.cycle_id))
    return items


def disputes_to_resolve(goals: Goals) -> list[Item]:
    items, seen = [], set()
    for review_id in goals.disputed_reviews.found():
        if review_id in seen:
            continue
        seen.add(review_id)
        review: object = goals.repository.get(review_id)
        if isinstance(review, Review) and review.stage is Stage.DISPUTED:
            dispute = review.disputes[-1]
            name = goals.parties.display_name_of(review.employee_id) or review.employee_id  # open mode: the id
            items.append(item("resolve_dispute", f"Resolve the dispute of {name}'s rating",
                              review_link(review.employee_id, review.cycle_id), dispute.raised_at.date(),
                              employee_id=review.employee_id, cycle=review.cycle_id))
    return items


def recalibrations_to_decide(goals: Goals) -> list[Item]:
    items = []
    for waiting in pending_recalibrations(goals):
        goal = goals.get_goal(waiting.goal_id)
        proposed = goal.recalibration(waiting.recalibration_id).proposed_at.date()
        items.append(item("decide_recalibration", f"Decide the recalibration proposed for “{goal.title}”",
                          "/workspace/hr/recalibrations", proposed, goal_id=str(goal.id),
                          recalibration_id=waiting.recalibration_id))
    return items

"""The goal page (terms, KPIs and their charts, SMART findings, signatures, milestones, timeline, as of a moment)
and its forms: sign, record a reading, propose a recalibration, decide one (HR), close (milestones:
milestone_pages.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.access import visible_goal
from api.deps import WRITERS, as_of_moment
from api.problems import Problem
from api.schemas.goal_views import GoalResponse
from api.schemas.goals import ClosureRequest, DecisionRequest, MeasurementRequest, RecalibrationRequest
from api.web.charts import kpi_chart
from api.web.check_in_views import CHECK_IN_WORDS, CONFIDENCE_WORDS, updates
from api.web.goal_summary import goal_review_at, summary
from api.web.milestone_views import milestone_words, milestones_in_force, proposals
from api.web.signature_views import lapsed_signatures
from api.web.timeline import timeline
from api.web.views import event_words
from api.web.pages import (FormDep, FormProblem, PageRoute, SessionDep, problem_of, refuse_on_page, render,
                           see_other)
from application.errors import ApplicationError
from application.goals.parties import name_lookup
from application.goals.service import Goals
from application.goals.history import describe_trail
from application.store.settings import BusinessCalendar
from domain.errors import GoalError
from domain.goal import Goal
from domain import rules
from domain.values import Actor, Outcome, ReasonCategory, Status

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)


def actions(goal: Goal, actor: Actor) -> dict[str, bool]:
    """Which forms to offer, by the domain's own rules (domain.rules); the domain still guards each command."""
    writes, party = rules.may_write(actor, goal.owner_id, goal.manager_id), goal.party_of(actor)
    pending = goal.pending_recalibration()
    return {
        "sign": goal.status == Status.DRAFT and party is not None and party not in goal.signatures,
        "record": writes and goal.status == Status.AGREED,
        "propose": goal.status == Status.AGREED and party is not None and pending is None,
        "decide": pending is not None and rules.decides_recalibrations(actor) and rules.decider_is_a_second_person(
            actor.id, goal.owner_id, goal.manager_id, pending.proposed_by),
        "close": goal.status == Status.AGREED and pending is None and rules.may_close(actor, goal.manager_id)
        and bool(closing_outcomes(goal, actor)),
        # A draft is withdrawn (closed as cancelled, by the manager or HR) and edited by a party or HR.
        "withdraw": goal.status == Status.DRAFT and rules.may_close(actor, goal.manager_id),
        "edit": goal.status == Status.DRAFT and writes,
        "check_in": goal.status == Status.AGREED and party is not None,
        # On a draft a milestone is part of the terms (whoever writes the draft adds one); after agreement a party
        # proposes it and it holds once the other party sets it too (domain/goal_tracking.py).
        "milestone": (goal.status == Status.DRAFT and writes) or (goal.status == Status.AGREED and party is not None),
    }


def closing_outcomes(goal: Goal, actor: Actor) -> list[Outcome]:
    """The outcomes this actor may close this goal with: none of their own goal's favourable outcomes (four eyes),
    and cancelled only for a draft (an agreed goal is cancelled by a recalibration)."""
    allowed = [o for o in Outcome if rules.closer_is_not_the_beneficiary(actor.id, goal.owner_id, o)]
    if goal.status == Status.DRAFT:
        return [o for o in allowed if o is Outcome.CANCELLED]
    return [o for o in allowed if o is not Outcome.CANCELLED]


def goal_context(
    request: Request, actor: Actor, goal_id: UUID, as_of: datetime | None = None,
    problems: dict[str, FormProblem] | None = None, values: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    goals: Goals = request.app.state.goals
    goal = visible_goal(goals, goal_id, actor, as_of)
    every_event = goals.goal_events(goal_id)
    shown_events = goals.goal_events(goal_id, until=as_of) if as_of else every_event
    day_of = BusinessCalendar(goals.settings.timezone).date_of
    day = day_of(as_of) if as_of else goals.today()
    readings = goals.bounded_readings(goal)  # the charts draw each day's counted reading and the latest ones
    review = goal_review_at(shown_events, day)
    trail, kpi_names = describe_trail(shown_events), {k.id: k.name for k in goal.kpis}
    lapsed = lapsed_signatures(trail, name_finder(goals), kpi_names, day.year) if goal.status == Status.DRAFT else []
    return {
        "goal": GoalResponse.of(goal, readings, name_lookup(goals.parties)), "as_of": as_of,
        "summary": summary(review, day, as_of) if review else None,
        "timeline": timeline(trail, name_finder(goals), kpi_names, day.year), "lapsed": lapsed,
        "smart": goal.smart_report(day, goals.smart_policy),
        "charts": [kpi_chart(goal, k, readings.for_charts(), day_of, day, "today" if as_of is None else "as of",
                             milestone_words(review)) for k in goal.kpis],
        "moments": [(e.timestamp, e.originator_version, event_words(type(e).__name__)) for e in every_event],
        "actions": actions(goal, actor) if as_of is None else {}, "pending": goal.pending_recalibration(),
        "problems": problems or {}, "values": values or {}, "today": goals.today(),
        "check_in_words": CHECK_IN_WORDS, "confidence_words": CONFIDENCE_WORDS,
        "reasons": list(ReasonCategory), "outcomes": closing_outcomes(goal, actor), "name_of": name_finder(goals),
        "updates": updates(goal, every_event, as_of, goals.parties.display_name_of),
        "kpi_names": kpi_names,
        "milestones": milestones_in_force(goal, review, day.year),
        "proposals": proposals(goal, actor, name_finder(goals), day.year),
    }


def name_finder(goals: Goals) -> Callable[[str], str]:
    """A person's name in the directory, else their id (open mode knows no names)."""
    return lambda person_id: goals.parties.display_name_of(person_id) or person_id


@router.get("/{goal_id}", response_class=HTMLResponse)
def goal_page(request: Request, goal_id: UUID, session: SessionDep, as_of: str | None = None) -> HTMLResponse:
    """A goal now, or as it stood at `as_of`."""
    moment = as_of_moment(as_of.replace(" ", "T")) if as_of else None
    return render(request, "goal.html", goal_context(request, session.actor, goal_id, moment))


def command(
    request: Request, session: Any, goal_id: UUID, form_name: str, fields: dict[str, str],
    act: Callable[[Goals, Actor], object], anchor: str,
) -> Response:
    """Run one command from a form; on a refusal show the page again with the API's problem next to the fields."""
    goals: Goals = request.app.state.goals
    visible_goal(goals, goal_id, session.actor)
    try:
        act(goals, session.actor)
    except (Problem, GoalError, ApplicationError, ValidationError) as error:
        problem = problem_of(error)
        context = goal_context(request, session.actor, goal_id, problems={form_name: problem},
                               values={form_name: fields})
        return render(request, "goal.html", context, status=problem.status)
    back = fields.get("return_to", "")
    return see_other(back if back == "/workspace/hr/recalibrations" else f"/workspace/goals/{goal_id}#{anchor}")


def writer(actor: Actor) -> None:
    refuse_on_page(actor, WRITERS, "This form")


@router.post("/{goal_id}/signatures")
def sign(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        version = fields.get("version", "")
        if not version.isdigit():
            raise Problem(422, "invalid_request", "version: must be the version you read",
                          errors=[{"field": "version", "message": "must be the version you read"}])
        goals.sign_goal(goal_id, actor, read_version=int(version))
    return command(request, session, goal_id, "sign", fields, act, "signatures")


@router.post("/{goal_id}/readings")
def record_reading(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        body = MeasurementRequest.model_validate(
            {k: fields.get(k, "") for k in ("kpi", "value", "observed_at", "source", "note")})
        goals.record_kpi(goal_id, actor, kpi=body.kpi, value=body.value, observed_at=body.observed_at,
                         source=body.source, note=body.note)
    return command(request, session, goal_id, "record", fields, act, "kpis")


@router.post("/{goal_id}/recalibrations")
def propose(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        target = fields.get("target", "").strip()
        body = RecalibrationRequest.model_validate({
            "targets": {fields.get("kpi", ""): target} if target else {},
            "deadline": fields.get("deadline") or None, "reason": fields.get("reason", ""),
            "justification": fields.get("justification", ""),
        })
        goals.propose_recalibration(goal_id, actor, reason=str(body.reason), justification=body.justification,
                                    targets=body.domain_targets(), deadline=body.deadline)
    return command(request, session, goal_id, "propose", fields, act, "recalibrations")


def decide(request: Request, goal_id: UUID, rid: str, session: Any, fields: dict[str, str], approve: bool) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        if not rules.decides_recalibrations(actor):
            raise Problem(403, "role_not_allowed", "Only HR decides a recalibration.")
        body = DecisionRequest.model_validate({"note": fields.get("note", "")})
        decision = goals.approve_recalibration if approve else goals.reject_recalibration
        decision(goal_id, actor, rid, note=body.note)
    return command(request, session, goal_id, "decide", fields, act, "recalibrations")


@router.post("/{goal_id}/recalibrations/{rid}/approval")
def approve(request: Request, goal_id: UUID, rid: str, session: SessionDep, fields: FormDep) -> Response:
    return decide(request, goal_id, rid, session, fields, approve=True)


@router.post("/{goal_id}/recalibrations/{rid}/rejection")
def reject(request: Request, goal_id: UUID, rid: str, session: SessionDep, fields: FormDep) -> Response:
    return decide(request, goal_id, rid, session, fields, approve=False)


@router.post("/{goal_id}/closure")
def close(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        given = {"outcome": fields.get("outcome", ""), "summary": fields.get("summary", "")}
        body = ClosureRequest.model_validate(given)
        goals.close_goal(goal_id, actor, outcome=str(body.outcome), summary=body.summary)
    return command(request, session, goal_id, "close", fields, act, "outcome")

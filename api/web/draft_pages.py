"""Drafting a goal in the browser: the SMART findings beside the fields on "Check", the draft stored on "Draft"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.access import require_may_draft
from api.problems import Problem
from api.schemas.goals import DraftGoalRequest
from api.web.pages import FormDep, FormProblem, PageRoute, SessionDep, problem_of, render, see_other
from application.cycles.service import Cycles
from application.errors import ApplicationError
from application.goals.service import Goals
from domain.errors import GoalError
from domain.smart import Criterion, SmartReport, assess
from domain.terms import GoalTerms
from domain import rules
from domain.values import Actor, Cadence, Cycle, Direction

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)
# Where each SMART criterion's findings are shown: beside the field that fixes them.
FINDING_FIELD = {Criterion.SPECIFIC: "statement", Criterion.MEASURABLE: "kpi_unit", Criterion.ACHIEVABLE: "kpi_target",
                 Criterion.RELEVANT: "rationale", Criterion.TIME_BOUND: "deadline"}


def draft_request(fields: dict[str, str], actor_id: str) -> DraftGoalRequest:
    kpi = {"id": fields.get("kpi_id", ""), "name": fields.get("kpi_name", ""), "unit": fields.get("kpi_unit", ""),
           "direction": fields.get("kpi_direction", ""), "baseline": fields.get("kpi_baseline", ""),
           "target": fields.get("kpi_target") or None, "cadence": fields.get("kpi_cadence", "monthly")}
    return DraftGoalRequest.model_validate({
        "cycle": {"id": fields.get("cycle_id", ""), "start": fields.get("cycle_start", ""),
                  "end": fields.get("cycle_end", "")},
        "owner_id": fields.get("owner_id", ""), "manager_id": actor_id, "title": fields.get("title", ""),
        "statement": fields.get("statement", ""), "kpis": [kpi], "deadline": fields.get("deadline") or None,
        "rationale": fields.get("rationale") or None, "weight": fields.get("weight") or "100",
        "org_unit": fields.get("org_unit") or None,
    })


# Where the API's field errors (body.kpis.0.target) are shown on this form.
ERROR_FIELD = {"kpis.0.id": "kpi_id", "kpis.0.name": "kpi_name", "kpis.0.unit": "kpi_unit",
               "kpis.0.direction": "kpi_direction", "kpis.0.baseline": "kpi_baseline", "kpis.0.target": "kpi_target",
               "kpis.0.cadence": "kpi_cadence", "kpis": "kpi_target", "cycle.id": "cycle_id",
               "cycle.start": "cycle_start", "cycle.end": "cycle_end"}


def field_errors(problem: FormProblem | None) -> dict[str, str]:
    if problem is None:
        return {}
    return {ERROR_FIELD.get(path, path): message for path, message in problem.fields.items()}


def findings_by_field(report: SmartReport) -> dict[str, list[Any]]:
    shown: dict[str, list[Any]] = {}
    for finding in report.findings:
        shown.setdefault(FINDING_FIELD[finding.criterion], []).append(finding)
    return shown


def draft_form(request: Request, fields: dict[str, str], problem: FormProblem | None = None,
               report: SmartReport | None = None, status: int = 200) -> HTMLResponse:
    context = {"values": fields, "problem": problem, "report": report, "directions": list(Direction),
               "cadences": list(Cadence), "errors": field_errors(problem),
               "findings": findings_by_field(report) if report else {}}
    return render(request, "goal_new.html", context, status)


def manager_only(actor: Actor) -> None:
    if not rules.drafts_for_others(actor):
        raise Problem(403, "role_not_allowed",
                      f"role {actor.role} does not draft for a team here; allowed: manager, hr")


@router.get("/new", response_class=HTMLResponse)
def new_goal(request: Request, session: SessionDep) -> HTMLResponse:
    """The drafting form, with the open cycle running today filled in (else today's half-year)."""
    manager_only(session.actor)
    today: date = request.app.state.goals.today()
    cycle_id, start, end = running_cycle(request.app.state.cycles, today)
    defaults = {"cycle_id": cycle_id, "cycle_start": start.isoformat(), "cycle_end": end.isoformat(),
                "deadline": end.isoformat(), "weight": "100", "kpi_direction": "increase", "kpi_cadence": "monthly"}
    return draft_form(request, defaults)


def running_cycle(cycles: Cycles, today: date) -> tuple[str, date, date]:
    """The latest unlocked cycle whose period holds today; today's half-year when HR opened none."""
    for cycle in reversed(cycles.list_cycles()):
        if not cycle.locked and cycle.start <= today <= cycle.end:
            return cycle.cycle_id, cycle.start, cycle.end
    first = today.month <= 6
    start, end = (date(today.year, 1, 1), date(today.year, 6, 30)) if first else (date(today.year, 7, 1),
                                                                                   date(today.year, 12, 31))
    return f"{today.year}-H{1 if first else 2}", start, end


def lenient_terms(fields: dict[str, str], today: date) -> tuple[GoalTerms, Cycle]:
    """The terms as far as they parse, so the SMART check can speak while the form is half filled in."""
    try:
        kpis = [k.to_domain() for k in draft_request({**fields, "owner_id": "x", "title": "x", "statement": "x"},
                                                     "x").kpis]
    except ValidationError:
        kpis = []
    cycle = Cycle(fields.get("cycle_id", ""), _day(fields.get("cycle_start")) or today,
                  _day(fields.get("cycle_end")) or today)
    # Only what the SMART check reads matters here; the title and weight are checked when the draft is stored.
    terms = GoalTerms(title="", statement=fields.get("statement", ""), kpis=tuple(kpis),
                      deadline=_day(fields.get("deadline")), weight=Decimal(100),
                      rationale=fields.get("rationale") or None)
    return terms, cycle


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@router.post("/new")
def submit_goal(request: Request, session: SessionDep, fields: FormDep) -> Response:
    """Check the draft against SMART (nothing stored), or store it and open its page."""
    manager_only(session.actor)
    goals: Goals = request.app.state.goals
    report = assess(*lenient_terms(fields, goals.today()), goals.today(), goals.smart_policy)
    try:
        body = draft_request(fields, session.actor.id)
        if fields.get("action") != "draft":
            return draft_form(request, fields, report=report)
        owner = body.owner_id or ""
        require_may_draft(session.actor, owner, session.actor.id)
        result = goals.draft_goal(session.actor, cycle=body.cycle_ref(), owner_id=owner,
                                  manager_id=session.actor.id, terms=body.terms())
    except (Problem, GoalError, ApplicationError, ValidationError) as error:
        problem = problem_of(error)
        # The script's preview while typing is a question, not a command: it is answered, problems and all, with 200.
        preview = request.headers.get("X-Workspace-Preview") == "1" and fields.get("action") != "draft"
        return draft_form(request, fields, problem, report, status=200 if preview else problem.status)
    return see_other(f"/workspace/goals/{result.goal_id}")

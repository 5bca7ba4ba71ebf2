"""The goal page's form for milestones. On a draft whoever writes it adds one, and it becomes part of the terms both
parties sign (a signature given before it lapses, ADR 0052); on an agreed goal one party proposes, the other sets the
same one and it holds.

Both post the API's POST /goals/{id}/milestones command (Goals.set_milestone); the domain decides whether a post sets
the milestone (a draft's, or one matching the other party's proposal) or proposes it (domain/goal_tracking.py). The
page says each refusal as a sentence beside its field.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.access import require_visible
from api.problems import Problem, domain_status, field_error
from api.schemas.goals import MilestoneRequest
from api.web.goal_pages import command, name_finder, writer
from api.web.milestone_views import proposed_already
from api.web.pages import FormDep, PageRoute, SessionDep
from api.web.timeline import long_day
from application.goals.service import Goals
from domain.errors import GoalError, MilestoneLockedError, MilestoneRuleError, UnknownKpiError
from domain.goal import Goal
from domain.values import Actor

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)

FIELD_SENTENCES = {
    "kpi": "Choose one of the goal's KPIs.",
    "due": "Give the due date as a day on the calendar.",
    "target": "Give the target as a number, such as 17 or 17.5.",
}


def parsed(fields: dict[str, str]) -> MilestoneRequest:
    """The form as the API's request; a malformed field refused by name, in a sentence."""
    try:
        return MilestoneRequest.model_validate({name: fields.get(name, "") for name in FIELD_SENTENCES})
    except ValidationError as error:
        named = {field_error(dict(item))["field"] for item in error.errors()}
        errors = [{"field": name, "message": sentence} for name, sentence in FIELD_SENTENCES.items() if name in named]
        raise Problem(422, "invalid_request", " ".join(e["message"] for e in errors), errors=errors) from None


def beside_its_field(error: GoalError, goal: Goal, today_is: str) -> Problem:
    """The domain's refusal of a milestone as a sentence next to the field it concerns."""
    field, sentence = "", error.message
    if isinstance(error, UnknownKpiError):
        field, sentence = "kpi", FIELD_SENTENCES["kpi"]
    elif isinstance(error, MilestoneLockedError):
        field, sentence = "due", "This milestone is part of the agreed goal already; a recalibration changes it."
    elif isinstance(error, MilestoneRuleError) and "milestone_id" in error.context:
        field, sentence = "target", "The draft has this milestone already, with this very target."
    elif isinstance(error, MilestoneRuleError) and "target" in error.context:
        field, sentence = "target", f"The target must lie {error.message.partition(' must lie ')[2]}."
    elif isinstance(error, MilestoneRuleError) and "due" in error.context:
        if "in the past" in error.message:
            sentence = f"The due date has passed: choose today ({today_is}) or a later day."
        else:
            end = long_day(goal.deadline) if goal.deadline else "the deadline"
            sentence = f"The due date must fall within the goal's period: from {long_day(goal.cycle.start)} to {end}."
        field = "due"
    errors = [{"field": field, "message": sentence}] if field else []
    return Problem(domain_status(error), error.code, sentence, errors=errors)


@router.post("/{goal_id}/milestones")
def set_milestone(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        body = parsed(fields)
        goal = goals.get_goal(goal_id)
        if proposed_already(goal, actor, body.kpi, body.due, body.target):
            other = goal.manager_id if actor.id == goal.owner_id else goal.owner_id
            raise Problem(409, "already_proposed", "You proposed this milestone already; it holds once "
                          f"{name_finder(goals)(other)} sets it too.")
        try:
            goals.set_milestone(goal_id, actor, kpi=body.kpi, due=body.due, target=body.target,
                                check=require_visible(actor))
        except (UnknownKpiError, MilestoneLockedError, MilestoneRuleError) as error:
            raise beside_its_field(error, goal, long_day(goals.today())) from error
    return command(request, session, goal_id, "milestone", fields, act, "milestones")

"""The inbox: what waits for the caller now (projections/inbox.py), and which kinds they get no e-mail about."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import GoalsDep, require_roles
from api.one_hop import OneHopRoute
from api.positions import projection_read
from api.problems import problem_responses
from api.schemas.common import Strict, example
from application.notifications.preferences import MailPreferences
from domain.values import Actor, Role
from projections.goal_index import GoalIndexProjection
from projections.inbox import inbox

router = APIRouter(prefix="/inbox", tags=["inbox"], route_class=OneHopRoute)

People = Annotated[Actor, Depends(require_roles(Role.EMPLOYEE, Role.MANAGER, Role.HR))]
IndexFresh = Annotated[None, Depends(projection_read(GoalIndexProjection.name))]
Kind = Literal["sign_draft", "reading_due", "warning", "acknowledge_decision", "resolve_dispute",
               "decide_recalibration"]
ERRORS = problem_responses(401, 403, 422, 503)


class InboxItem(BaseModel):
    model_config = ConfigDict(extra="allow")

    kind: Kind
    title: str = Field(description="What waits, in words.")
    link: str = Field(description="The workspace page where it is done.")
    since: str = Field(description="The day it has waited since (ISO 8601).")


class InboxResponse(BaseModel):
    items: list[InboxItem]


class MailPreferencesBody(Strict):
    model_config = example({"opted_out": ["reading_due"]})

    opted_out: Annotated[list[Kind], Field(max_length=6, description="The kinds left out of the daily e-mail.")]


async def get_preferences(request: Request) -> MailPreferences:
    preferences: MailPreferences = request.app.state.mail_preferences
    return preferences


PreferencesDep = Annotated[MailPreferences, Depends(get_preferences)]


@router.get("", responses=ERRORS)
def read_inbox(goals: GoalsDep, actor: People, _index: IndexFresh) -> InboxResponse:
    """What waits for the caller: drafts to sign, readings due, warnings, ratings to answer, HR's decisions."""
    return InboxResponse.model_validate({"items": inbox(goals, actor)})


@router.get("/mail", responses=ERRORS)
def read_mail_preferences(preferences: PreferencesDep, actor: People) -> MailPreferencesBody:
    """The kinds the caller gets no e-mail about."""
    return MailPreferencesBody.model_validate({"opted_out": sorted(preferences.opted_out(actor.id))})


@router.put("/mail", responses=ERRORS)
def set_mail_preferences(body: MailPreferencesBody, preferences: PreferencesDep, actor: People) -> MailPreferencesBody:
    """Opt out of e-mail about these kinds (the inbox still lists them); an empty list gets every kind again."""
    preferences.set_opted_out(actor.id, body.opted_out)
    return MailPreferencesBody.model_validate({"opted_out": sorted(preferences.opted_out(actor.id))})

"""The inbox page: what waits for the signed-in person, each with a link to where it is done, and their e-mail
opt-outs by kind (the same as GET /inbox and PUT /inbox/mail)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.problems import Problem
from api.web.pages import FormDep, PageRoute, SessionDep, render, see_other
from api.web.workspace import fresh
from application.notifications.preferences import MailPreferences
from domain import rules
from domain.values import Actor
from projections.goal_index import GoalIndexProjection
from projections.inbox import KINDS, inbox

router = APIRouter(prefix="/workspace/inbox", route_class=PageRoute, include_in_schema=False)
KIND_WORDS = {
    "sign_draft": "Drafts to sign", "reading_due": "Readings due", "warning": "Early warnings on my team's goals",
    "acknowledge_decision": "Ratings to acknowledge or dispute", "resolve_dispute": "Disputes to resolve",
    "decide_recalibration": "Recalibrations to decide",
}


def person(actor: Actor) -> None:
    if not rules.has_an_inbox(actor):
        raise Problem(403, "role_not_allowed", "Only employees, managers and HR have an inbox.")


@router.get("", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep) -> HTMLResponse:
    """What waits for the signed-in person."""
    person(session.actor)
    fresh(request, GoalIndexProjection.name)
    preferences: MailPreferences = request.app.state.mail_preferences
    return render(request, "inbox.html", {"items": inbox(request.app.state.goals, session.actor),
                                          "kinds": KINDS, "kind_words": KIND_WORDS,
                                          "opted_out": preferences.opted_out(session.actor.id)})


@router.post("/mail")
def set_mail(request: Request, session: SessionDep, fields: FormDep) -> Response:
    """Each kind left unticked is left out of the daily e-mail."""
    person(session.actor)
    preferences: MailPreferences = request.app.state.mail_preferences
    preferences.set_opted_out(session.actor.id, [kind for kind in KINDS if fields.get(f"mail_{kind}") != "on"])
    return see_other("/workspace/inbox#mail")

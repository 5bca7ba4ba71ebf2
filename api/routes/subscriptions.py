"""Webhook subscriptions: POST /subscriptions (hr, service), GET/DELETE /subscriptions/{id}, POST .../resume."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Path, Request, Response

from api.deps import GoalsDep, require_roles
from api.problems import Problem, problem_responses
from api.schemas.subscriptions import NewSubscriptionResponse, SubscriptionRequest, SubscriptionResponse
from application.cloudevents import UnknownEventTypeError
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery, WebhookThread
from application.webhooks.subscriptions import SubscriptionNotFoundError, SubscriptionStore
from application.webhooks.targets import WebhookTargetError
from domain.values import Actor, Role

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])

Manager = Annotated[Actor, Depends(require_roles(Role.HR, Role.SERVICE))]
SubscriptionId = Annotated[str, Path(max_length=36, description="The subscription's id.")]


def install(app: FastAPI) -> None:
    settings = WebhookSettings.from_env()
    app.state.subscriptions = SubscriptionStore(app.state.goals.engine, settings)
    if settings.in_process:
        worker = WebhookThread(WebhookDelivery(app.state.goals, settings)).start()
        app.state.on_shutdown.append(worker.stop)


def store(request: Request) -> SubscriptionStore:
    subscriptions: SubscriptionStore = request.app.state.subscriptions
    return subscriptions


StoreDep = Annotated[SubscriptionStore, Depends(store)]


@contextmanager
def problems() -> Iterator[None]:
    try:
        yield
    except WebhookTargetError as error:
        raise Problem(422, error.code, error.message) from None
    except UnknownEventTypeError as error:
        raise Problem(422, error.code, str(error), types=error.names) from None
    except SubscriptionNotFoundError as error:
        raise Problem(404, error.code, error.message) from None


@router.post("", status_code=201, responses=problem_responses(401, 403, 422))
def subscribe(
    body: SubscriptionRequest, subscriptions: StoreDep, goals: GoalsDep, actor: Manager, response: Response
) -> NewSubscriptionResponse:
    """Subscribe a URL to goal events; the answer holds the signing secret, shown only this once."""
    after = goals.head_position() if body.after is None else body.after
    with problems():
        created = subscriptions.create(body.url, body.types, created_by=actor.id, after=after)
    response.headers["Location"] = f"/subscriptions/{created.id}"
    return NewSubscriptionResponse(**created.public(), secret=created.secret)


@router.get("/{subscription_id}", responses=problem_responses(401, 403, 404))
def read_subscription(
    subscription_id: SubscriptionId, subscriptions: StoreDep, _actor: Manager
) -> SubscriptionResponse:
    """A subscription's state: active or paused, its position, its last error."""
    with problems():
        return SubscriptionResponse(**subscriptions.get(subscription_id).public())


@router.delete("/{subscription_id}", status_code=204, responses=problem_responses(401, 403, 404))
def unsubscribe(subscription_id: SubscriptionId, subscriptions: StoreDep, _actor: Manager) -> Response:
    """Stop sending events to a subscription and forget it."""
    with problems():
        subscriptions.delete(subscription_id)
    return Response(status_code=204)


@router.post("/{subscription_id}/resume", responses=problem_responses(401, 403, 404))
def resume(subscription_id: SubscriptionId, subscriptions: StoreDep, _actor: Manager) -> SubscriptionResponse:
    """Put a paused subscription back to work, from the event it stopped at."""
    with problems():
        return SubscriptionResponse(**subscriptions.resume(subscription_id).public())

"""Webhook subscriptions (hr, service), each visible only to the caller who made it: make, list, read, rewind,
re-key, resume, delete, and the parked events with their redelivery."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.one_hop import OneHopRoute
from api.deps import GoalsDep, require_roles
from api.positions import refuse_beyond_head
from api.problems import Problem, problem_responses
from api.schemas.subscriptions import (
    NewSubscriptionResponse,
    ParkedEventList,
    ParkedEventResponse,
    PositionRequest,
    SubscriptionList,
    SubscriptionRequest,
    SubscriptionResponse,
)
from application.events.cloudevents import UnknownEventTypeError
from application.events.filters import EventFilter, InvalidEventFilterError
from application.events.live import EventSignal
from application.webhooks.parking import ParkedEventNotFoundError
from application.webhooks.subscriptions import PositionBeyondHeadError, SubscriptionNotFoundError, SubscriptionStore
from application.webhooks.targets import WebhookTargetError
from domain import rules
from domain.values import Actor, Role

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"], route_class=OneHopRoute)

Manager = Annotated[Actor, Depends(require_roles(Role.HR, Role.SERVICE))]
SubscriptionId = Annotated[str, Path(max_length=36, description="The subscription's id.")]
EventId = Annotated[str, Path(max_length=80, description="The parked event's CloudEvent id (its webhook-id).")]


async def store(request: Request) -> SubscriptionStore:
    subscriptions: SubscriptionStore = request.app.state.subscriptions
    return subscriptions


def wake_worker(request: Request) -> None:
    """An in-process worker starts on a redelivery, rewind or resume at once (another process within its poll)."""
    signal: EventSignal = request.app.state.webhook_signal
    signal.notify()


StoreDep = Annotated[SubscriptionStore, Depends(store)]


@contextmanager
def problems() -> Iterator[None]:
    try:
        yield
    except (WebhookTargetError, InvalidEventFilterError) as error:
        raise Problem(422, error.code, error.message) from None
    except UnknownEventTypeError as error:
        raise Problem(422, error.code, str(error), types=error.names) from None
    except PositionBeyondHeadError as error:
        raise Problem(422, error.code, error.message, head=error.head, position=error.after) from None
    except (SubscriptionNotFoundError, ParkedEventNotFoundError) as error:
        raise Problem(404, error.code, error.message) from None


@router.post("", status_code=201, responses=problem_responses(401, 403, 422))
def subscribe(
    body: SubscriptionRequest, subscriptions: StoreDep, goals: GoalsDep, actor: Manager, response: Response
) -> NewSubscriptionResponse:
    """Subscribe a URL to goal events; the answer holds the signing secret, shown only this once."""
    head = goals.head_position()
    after = head if body.after is None else body.after
    refuse_beyond_head(after, head, "body.after")
    with problems():
        wanted = EventFilter.parse(body.subjects, body.cycle, body.org_unit)
        created = subscriptions.create(body.url, body.types, created_by=actor.id, after=after, event_filter=wanted,
                                       on_failure=body.on_failure)
    response.headers["Location"] = f"/subscriptions/{created.id}"
    return NewSubscriptionResponse(**created.public(), secret=created.secret)


@router.get("", responses=problem_responses(401, 403, 422))
def list_subscriptions(
    subscriptions: StoreDep, actor: Manager,
    every: Annotated[bool, Query(alias="all", description="Every caller's subscriptions (hr only).")] = False,
) -> SubscriptionList:
    """The caller's own subscriptions; hr may ask for everyone's with ?all=true."""
    if every and not rules.sees_every_subscription(actor):
        raise Problem(403, "role_not_allowed", f"role {actor.role} may list only its own subscriptions")
    owned = subscriptions.list(None if every else actor.id)
    return SubscriptionList(items=[SubscriptionResponse(**s.public()) for s in owned])


@router.get("/{subscription_id}", responses=problem_responses(401, 403, 404, 422))
def read_subscription(subscription_id: SubscriptionId, subscriptions: StoreDep, actor: Manager) -> SubscriptionResponse:
    """A subscription's state: active or paused, its position, its last error."""
    with problems():
        return SubscriptionResponse(**subscriptions.get(subscription_id, actor.id).public())


@router.delete("/{subscription_id}", status_code=204, responses=problem_responses(401, 403, 404, 422))
def unsubscribe(subscription_id: SubscriptionId, subscriptions: StoreDep, actor: Manager) -> Response:
    """Stop sending events to a subscription and forget it (and its parked events)."""
    with problems():
        subscriptions.delete(subscription_id, actor.id)
    return Response(status_code=204)


@router.post("/{subscription_id}/resume", responses=problem_responses(401, 403, 404, 422))
def resume(
    subscription_id: SubscriptionId, subscriptions: StoreDep, actor: Manager, request: Request
) -> SubscriptionResponse:
    """Put a paused subscription back to work, from the event it stopped at."""
    with problems():
        resumed = subscriptions.resume(subscription_id, actor.id)
    wake_worker(request)
    return SubscriptionResponse(**resumed.public())


@router.post("/{subscription_id}/position", responses=problem_responses(401, 403, 404, 422))
def rewind(
    subscription_id: SubscriptionId, body: PositionRequest, subscriptions: StoreDep, goals: GoalsDep,
    actor: Manager, request: Request,
) -> SubscriptionResponse:
    """Deliver again (or skip ahead) from a position; events sent anew keep their webhook-id, for deduplication."""
    with problems():
        moved = subscriptions.rewind(subscription_id, body.after, goals.head_position(), actor.id)
    wake_worker(request)
    return SubscriptionResponse(**moved.public())


@router.post("/{subscription_id}/secret", responses=problem_responses(401, 403, 404, 422))
def rotate_secret(subscription_id: SubscriptionId, subscriptions: StoreDep, actor: Manager) -> NewSubscriptionResponse:
    """A new signing secret, shown only this once; the old one keeps signing beside it during the overlap."""
    with problems():
        rotated, secret = subscriptions.rotate_secret(subscription_id, actor.id)
    return NewSubscriptionResponse(**rotated.public(), secret=secret)


@router.get("/{subscription_id}/parked", responses=problem_responses(401, 403, 404, 422))
def parked_events(subscription_id: SubscriptionId, subscriptions: StoreDep, actor: Manager) -> ParkedEventList:
    """The events parked after using up their tries, in log order, each with its last error."""
    with problems():
        subscriptions.get(subscription_id, actor.id)
    parked = subscriptions.parking.list(subscription_id)
    return ParkedEventList(items=[ParkedEventResponse(**p.public()) for p in parked])


@router.post(
    "/{subscription_id}/parked/{event_id}/redelivery", status_code=202, responses=problem_responses(401, 403, 404, 422)
)
def redeliver(
    subscription_id: SubscriptionId, event_id: EventId, subscriptions: StoreDep, actor: Manager, request: Request
) -> ParkedEventResponse:
    """Send a parked event again, with its webhook-id and position unchanged; it leaves the list after a 2xx."""
    with problems():
        subscriptions.get(subscription_id, actor.id)
        requested = subscriptions.parking.request_redelivery(subscription_id, event_id)
    wake_worker(request)
    return ParkedEventResponse(**requested.public())

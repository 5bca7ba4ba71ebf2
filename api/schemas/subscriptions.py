"""The subscription resource: a webhook target, what it wants, how failures are handled, how its delivery stands."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SubscriptionRequest(BaseModel):
    url: str = Field(max_length=2000, description="An http(s) URL on a public address.")
    types: list[str] = Field(default=[], max_length=50, description="CloudEvents types to send; empty: all.")
    subjects: list[str] = Field(default=[], max_length=100, description="Goal ids to send events of; empty: all.")
    cycle: str | None = Field(default=None, min_length=1, max_length=200, description="Only goals of this cycle.")
    org_unit: str | None = Field(default=None, min_length=1, max_length=200,
                                 description="Only goals of this org unit.")
    on_failure: Literal["pause", "park"] = Field(
        default="pause",
        description="After the last failed try of an event: pause the subscription, or park the event and go on.",
    )
    after: int | None = Field(default=None, ge=0, description="Send the events after this position (default: now).")


class SubscriptionResponse(BaseModel):
    id: str
    url: str
    types: list[str]
    subjects: list[str]
    cycle: str | None
    org_unit: str | None
    on_failure: str = Field(description="pause or park.")
    status: str = Field(description="active, or paused after too many failed tries (resume by hand).")
    position: int = Field(description="The last log position delivered (or passed over as not subscribed).")
    delivered: int
    failures: int = Field(description="Consecutive failed tries of the next event.")
    last_error: str | None
    last_attempt_at: str | None
    next_attempt_at: str | None
    secret_rotated_at: str | None
    previous_secret_until: str | None = Field(description="Until when the rotated-out secret still signs.")
    created_by: str
    created_at: str


class NewSubscriptionResponse(SubscriptionResponse):
    secret: str = Field(description="whsec_<base64 key> for verifying signatures; shown only this once.")


class SubscriptionList(BaseModel):
    items: list[SubscriptionResponse] = Field(description="Oldest first.")


class PositionRequest(BaseModel):
    after: int = Field(ge=0, description="Deliver the events after this log position (0: from the start).")


class ParkedEventResponse(BaseModel):
    event_id: str = Field(description="The CloudEvent id, which is also the webhook-id of every try.")
    type: str
    position: int
    attempts: int
    last_error: str
    parked_at: str
    redelivery_requested_at: str | None


class ParkedEventList(BaseModel):
    items: list[ParkedEventResponse] = Field(description="In log order.")

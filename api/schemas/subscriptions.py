"""The subscription resource: a webhook target, its types, and how its delivery stands."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SubscriptionRequest(BaseModel):
    url: str = Field(max_length=2000, description="An http(s) URL on a public address.")
    types: list[str] = Field(default=[], max_length=50, description="CloudEvents types to send; empty: all.")
    after: int | None = Field(default=None, ge=0, description="Send the events after this position (default: now).")


class SubscriptionResponse(BaseModel):
    id: str
    url: str
    types: list[str]
    status: str = Field(description="active, or paused after too many failed tries (resume by hand).")
    position: int = Field(description="The last log position delivered (or passed over as not subscribed).")
    delivered: int
    failures: int = Field(description="Consecutive failed tries of the next event.")
    last_error: str | None
    last_attempt_at: str | None
    next_attempt_at: str | None
    created_by: str
    created_at: str


class NewSubscriptionResponse(SubscriptionResponse):
    secret: str = Field(description="whsec_<base64 key> for verifying signatures; shown only this once.")

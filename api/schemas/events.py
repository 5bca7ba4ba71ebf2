"""The event feed: a page of CloudEvents and where to read on."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class EventPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="CloudEvents 1.0, in log order; `position` resumes the feed.")
    next_after: int = Field(description="Pass as `after` to read on; no event at or below it will appear later.")

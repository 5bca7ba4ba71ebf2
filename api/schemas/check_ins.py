"""Check-ins: what the owner or the manager sends, and what a recorded check-in answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas.common import MULTI_LINE, Strict, example
from domain.check_ins import CHECK_IN_TEXT, HIGHEST_CONFIDENCE, LOWEST_CONFIDENCE, CheckIn, CheckInStatus

CheckInText = Annotated[str, Field(max_length=CHECK_IN_TEXT, pattern=MULTI_LINE)]


class CheckInRequest(Strict):
    model_config = example({"status": "at_risk", "confidence": 3, "note": "The queue doubled after the outage.",
                            "blockers": "Ticketing tool down for two days", "next_steps": "Ask for a second agent"})

    status: CheckInStatus
    confidence: Annotated[int, Field(ge=LOWEST_CONFIDENCE, le=HIGHEST_CONFIDENCE, strict=True)]
    note: CheckInText = ""
    blockers: CheckInText = ""
    next_steps: CheckInText = ""

    def to_domain(self) -> CheckIn:
        return CheckIn.of(str(self.status), self.confidence, self.note, self.blockers, self.next_steps)


class CheckInResponse(BaseModel):
    id: str = Field(description="The check-in's id: its event's id, `<goal id>:<goal version>`.")
    goal_id: str
    version: int = Field(description="The goal's version after the check-in (its ETag).")
    position: int = Field(description="The log position of the check-in's event (the position token).")

"""Check-ins: the owner or the manager says how a goal is going between readings (the seed's continuous check-ins).

A check-in changes no term of the goal and counts for no score: it is what the people involved said, in the trail
and in the review, beside the numbers. Its free text (note, blockers, next steps) is about a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import InvalidGoalInputError
from domain.validation import choice, require_text

LOWEST_CONFIDENCE, HIGHEST_CONFIDENCE = 1, 5
CHECK_IN_TEXT = 2000


class CheckInStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


@dataclass(frozen=True)
class CheckIn:
    """What one check-in says: how it is going, how sure the author is (1 to 5), and in their words why."""

    status: CheckInStatus
    confidence: int
    note: str = ""
    blockers: str = ""
    next_steps: str = ""

    @classmethod
    def of(cls, status: str, confidence: int, note: str = "", blockers: str = "", next_steps: str = "") -> CheckIn:
        """A check-in from a caller's values, each checked (a shape error names its field)."""
        chosen = choice(CheckInStatus, "status", status)
        if isinstance(confidence, bool) or not LOWEST_CONFIDENCE <= confidence <= HIGHEST_CONFIDENCE:
            scale = f"{LOWEST_CONFIDENCE} to {HIGHEST_CONFIDENCE}"
            raise InvalidGoalInputError("confidence", f"must be a whole number from {scale}, not {confidence}")
        for field, text in (("note", note), ("blockers", blockers), ("next_steps", next_steps)):
            require_text(field, text, required=False, max_length=CHECK_IN_TEXT)
        return cls(chosen, confidence, note, blockers, next_steps)

    def to_stored(self) -> dict[str, Any]:
        return {"status": str(self.status), "confidence": self.confidence, "note": self.note,
                "blockers": self.blockers, "next_steps": self.next_steps}

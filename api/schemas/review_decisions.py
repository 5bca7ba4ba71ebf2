"""The review's steps: what the manager, the employee and HR send, and what each step answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from api.schemas.goal_views import HistoryEntry
from api.schemas.common import FILLED_LINE, MULTI_LINE, FilledText, Strict, Text, example
from domain.review_values import ResolutionOutcome

Band = Annotated[str, Field(min_length=1, max_length=100, pattern=FILLED_LINE,
                            description="A band of the scoring policy, e.g. meets_expectations.")]
RequiredText = FilledText


class DecisionRequest(Strict):
    model_config = example({"band": "exceeds_expectations", "summary": "A strong half despite the outage.",
                            "override_reason": "The outage work in March is not in the numbers."})

    band: Band
    summary: RequiredText
    override_reason: Annotated[str | None, Field(max_length=5000, pattern=MULTI_LINE, description=(
        "Required when the band is not the computed one (422 naming this field otherwise)."))] = None


class SelfAssessmentRequest(Strict):
    model_config = example({"text": "I kept the queue down through the outage and trained two colleagues."})

    text: RequiredText


class DisputeRequest(Strict):
    model_config = example({"reason": "The outage work is not counted at all."})

    reason: RequiredText


class ResolutionRequest(Strict):
    model_config = example({"outcome": "changed", "band": "outstanding", "note": "Confirmed by the support lead."})

    outcome: ResolutionOutcome
    band: Annotated[Band | None, Field(description="The new band: required when changed; upheld keeps the decided "
                                                   "one")] = None
    note: Annotated[Text, Field(description="Why; required when the band is changed.")] = ""


class ReviewStepResponse(BaseModel):
    """A step of the review, recorded: where the review stands now."""

    review_id: str
    employee_id: str
    employee_display_name: str = Field(description="The employee's name (the id in open mode).")
    cycle: str
    version: int = Field(description="The review's version after the step.")
    position: int = Field(description="The log position of the step's last event (the position token).")
    stage: str
    final_band: str | None
    dispute_id: str | None = Field(None, description="The dispute raised, when the step raised one.")
    decision: dict[str, Any] | None = Field(None, description="The decision, its decider by id (`decided_by`) and by "
                                            "name (`decided_by_display_name`: the id in open mode).")


class ReviewHistoryResponse(BaseModel):
    review_id: str
    employee_id: str
    employee_display_name: str = Field(description="The employee's name (the id in open mode).")
    cycle: str
    as_of: datetime | None
    events: list[HistoryEntry]

"""The stored events the fairness report reads, as plain records decoded from the stored JSON (ADR 0041).

No mapper and no data key: a sealed field stays the sealed dict it is stored as and is never read, so the report
can be computed (and recomputed from an export) by someone who holds no key at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

TOPICS = tuple(f"goalengine:{name}" for name in (
    "Cycle.Opened", "Cycle.Activated", "Cycle.ReviewStarted", "Cycle.Locked",
    "Goal.Drafted", "Goal.Revised", "Goal.Agreed", "Goal.Reassigned", "Goal.KpiRecorded", "Goal.Closed",
    "Goal.RecalibrationProposed", "Goal.Recalibrated", "Goal.RecalibrationRejected",
    "Review.Opened", "Review.DecisionRecorded", "Review.Disputed", "Review.DisputeResolved",
))


@dataclass(frozen=True)
class Record:
    position: int
    topic: str
    originator_id: str
    version: int
    data: dict[str, Any]

    @property
    def event_id(self) -> str:
        return f"{self.originator_id}:{self.version}"

    @property
    def kind(self) -> str:
        return self.topic.removeprefix("goalengine:")


def decoded(value: dict[str, Any]) -> Any:
    """The stored JSON's typed values: dates, datetimes and decimals; anything else (a sealed text) as stored."""
    kind = value.get("_type_")
    if kind == "date_iso":
        return date.fromisoformat(value["_data_"])
    if kind == "datetime_iso":
        return datetime.fromisoformat(value["_data_"])
    if kind == "decimal_str":
        return Decimal(value["_data_"])
    return value


def record(position: int, topic: str, originator_id: str, version: int, state: bytes) -> Record:
    return Record(position, topic, originator_id, version, json.loads(state, object_hook=decoded))

"""The review's justification as the page says it: people by name, KPIs by name, and each cited event as a link
worded for people ("the reading for 7 November"); the page adds its id (goal:version) only for an auditor.

The statements' text is the API's (GET /reviews/{employee}/justification, the packet): ids stay there, as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.web.timeline import long_day
from api.web.views import event_words, short_id
from application.events.serialization import event_data, event_type
from application.goals.service import Goals
from domain.goal import Goal

NameOf = Callable[[str], str]
BY_PERSON = re.compile(r"\bby ([A-Za-z0-9](?:[\w@-]|\.(?=\w))*)")  # "approved by hr-iris)", "by emp-carla."
MILESTONE_KPI = re.compile(r"\bmilestone (\S+) ")  # "milestone tickets 17 due …": the KPI's id


@dataclass(frozen=True)
class Citation:
    """One event a statement rests on: its link, what it is in words, and its id (goal:version)."""

    href: str
    label: str
    evidence_id: str


@dataclass(frozen=True)
class Statement:
    kind: str
    text: str
    evidence: list[Citation]


class Statements:
    """Says the statements of one justification, reading each cited goal's events once."""

    def __init__(self, goals: Goals, name_of: NameOf, this_year: int, as_of: datetime | None = None) -> None:
        self.goals, self.name_of, self.year, self.as_of = goals, name_of, this_year, as_of
        self.events: dict[str, list[Goal.Event]] = {}
        self.kpis: dict[str, dict[str, str]] = {}

    def said(self, statements: list[dict[str, Any]]) -> list[Statement]:
        return [Statement(s["kind"], self.text(s), [self.citation(e["goal_id"], e["version"]) for e in s["evidence"]])
                for s in statements]

    def text(self, statement: dict[str, Any]) -> str:
        text = BY_PERSON.sub(lambda found: f"by {self.name_of(found.group(1))}", statement["text"])
        goal_id = statement.get("goal_id")
        if goal_id is None:
            return text
        kpis = self.kpi_names(str(goal_id))
        return MILESTONE_KPI.sub(lambda found: f"milestone {kpis.get(found.group(1), found.group(1))} at ", text)

    def kpi_names(self, goal_id: str) -> dict[str, str]:
        if goal_id not in self.kpis:
            self.kpis[goal_id] = {k.id: k.name for k in self.goals.get_goal(UUID(goal_id)).kpis}
        return self.kpis[goal_id]

    def goal_events(self, goal_id: str) -> list[Goal.Event]:
        if goal_id not in self.events:
            self.events[goal_id] = self.goals.goal_events(UUID(goal_id))
        return self.events[goal_id]

    def citation(self, goal_id: str, version: int) -> Citation:
        query = f"?as_of={self.as_of.isoformat()}" if self.as_of else ""
        events = self.goal_events(goal_id)
        event = events[version - 1] if 0 < version <= len(events) else None
        label = self.label(event) if event is not None else f"step {version} of the goal"
        return Citation(f"/workspace/goals/{goal_id}{query}#v{version}", label, f"{short_id(goal_id)}:v{version}")

    def label(self, event: Goal.Event) -> str:
        kind, data, day = event_type(event), event_data(event), long_day(event.timestamp, self.year)
        if kind == "KpiRecorded":
            reading = f"the reading for {long_day(data['observed_at'], self.year)}"
            return f"the correction of {reading}" if data.get("corrects_version") else reading
        return LABELS.get(kind, "the {what} of {day}").format(what=event_words(kind), day=day)


LABELS = {
    "Drafted": "the draft of {day}", "Revised": "the revision of {day}", "AgreementSigned": "the signature of {day}",
    "Agreed": "the agreement of {day}", "RecalibrationProposed": "the recalibration proposed on {day}",
    "Recalibrated": "the recalibration approved on {day}",
    "RecalibrationRejected": "the recalibration rejected on {day}",
    "MilestoneProposed": "the milestone proposed on {day}", "MilestoneSet": "the milestone set on {day}",
    "Closed": "the closing of {day}", "CheckedIn": "the check-in of {day}",
}

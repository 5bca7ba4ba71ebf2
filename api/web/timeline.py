"""A goal's timeline as sentences people read ("Ana Lima agreed the goal"), not event class names.

One sentence per event of the trail (application/goals/history.py), naming people by their directory name where it
knows them and KPIs by their names; each change a field made is said in words too ("the target of CSAT: 90 → 87").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api.web.views import amount, plain, words
from application.goals.history import TrailEntry

NameOf = Callable[[str], str]
# Events whose sentence already says all they changed (or whose changes are the terms shown above the timeline).
SAID_IN_THE_SENTENCE = frozenset({"Drafted", "AgreementSigned", "Agreed", "MilestoneProposed", "MilestoneSet",
                                  "CheckedIn", "Closed", "CarriedOver", "CarriedIn"})
HIDDEN_FIELDS = frozenset({"parent_goal_id", "carried_over_from", "carried_over_to"})  # ids, linked elsewhere
PARTIES = {"owner": "owner", "manager": "manager"}
CHANGES_THE_TERMS = frozenset({"Revised", "MilestoneSet"})  # on a draft: a signature given before either lapses


@dataclass(frozen=True)
class TimelineLine:
    """One event of the goal as the page shows it: the sentence, when, and what it changed, in words."""

    version: int
    sentence: str
    at: datetime
    changes: list[tuple[str, str, str]]


def long_day(value: date | datetime | str, this_year: int | None = None) -> str:
    """3 March (the year too when it is not `this_year`): a day as people write it."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day} {day:%B}" + ("" if day.year == this_year else f" {day.year}")


def timeline(entries: list[TrailEntry], name_of: NameOf, kpi_names: dict[str, str], this_year: int,
             ) -> list[TimelineLine]:
    """The trail, latest first, as sentences."""
    words_for, causes = Sentences(name_of, kpi_names, this_year), voiding_causes(entries)
    return [TimelineLine(e.version, full_stop(words_for.sentence(e, causes.get(e.version))),
                         datetime.fromisoformat(e.timestamp), words_for.changes(e)) for e in reversed(entries)]


def voiding_causes(entries: list[TrailEntry]) -> dict[int, TrailEntry]:
    """Each lapsed signature (its version) and the change of the draft that voided it in the same command: the
    revision or the milestone it follows, by the same person (ADR 0052)."""
    causes: dict[int, TrailEntry] = {}
    cause: TrailEntry | None = None
    for entry in entries:
        if entry.type != "SignatureVoided":
            cause = entry if entry.type in CHANGES_THE_TERMS else None
        elif cause is not None and cause.actor_id == entry.actor_id:
            causes[entry.version] = cause
    return causes


def full_stop(text: str) -> str:
    return text if text.endswith((".", "!", "?", "”", "…")) else f"{text}."


class Sentences:
    """Says each kind of event in words; an event this page has no words for still says who did what."""

    def __init__(self, name_of: NameOf, kpi_names: dict[str, str], this_year: int) -> None:
        self.name_of, self.kpis, self.year = name_of, kpi_names, this_year

    def sentence(self, entry: TrailEntry, cause: TrailEntry | None = None) -> str:
        who, data = self.name_of(entry.actor_id), entry.data
        if entry.type == "SignatureVoided":
            return f"The {PARTIES.get(data['party'], data['party'])}'s signature lapsed: {self.lapsed(entry, cause)}"
        say = getattr(self, "_" + snake_case(entry.type), None)
        text: str = say(who, data) if say else f"{who}: {words_for_type(entry.type)}"
        return text

    def kpi(self, kpi_id: Any) -> str:
        return self.kpis.get(str(kpi_id), str(kpi_id))

    def _drafted(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} drafted the goal for {self.name_of(data['owner_id'])}"

    def _revised(self, who: str, data: dict[str, Any]) -> str:
        changed = ", ".join(words(name) for name in data.get("changes", {}))
        return f"{who} revised the draft ({changed})" if changed else f"{who} revised the draft"

    def lapsed(self, voided: TrailEntry, cause: TrailEntry | None) -> str:
        """Why a signature lapsed: the change of the draft after it, in words, else the reason stored with it."""
        party = PARTIES.get(voided.data["party"], voided.data["party"])
        if cause is None:
            return str(voided.data["reason"])
        changed = (f"set a milestone after it ({self._milestone(cause.data['milestone'])})"
                   if cause.type == "MilestoneSet" else "revised the draft after it")
        return f"{self.name_of(cause.actor_id)} {changed}, so the {party} signs again"

    def _agreement_signed(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} signed the terms as the {PARTIES.get(data['party'], data['party'])}"

    def _agreed(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} agreed the goal: both signatures are in and the terms hold from now on"

    def _milestone_proposed(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} proposed a milestone: {self._milestone(data['milestone'])}"

    def _milestone_set(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} set a milestone: {self._milestone(data['milestone'])}"

    def _kpi_recorded(self, who: str, data: dict[str, Any]) -> str:
        verb = "corrected the reading of" if data.get("corrects_version") else "recorded"
        text = (f"{who} {verb} {self.kpi(data['kpi'])}: {amount(data['value'])} for "
                f"{long_day(data['observed_at'], self.year)}")
        return f"{text}: {data['note']}" if data.get("note") else text

    def _recalibration_proposed(self, who: str, data: dict[str, Any]) -> str:
        return (f"{who} proposed recalibration {data['recalibration_id']} ({words(data['reason'])}): "
                f"“{data['justification']}”")

    def _recalibration_rejected(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} rejected recalibration {data['recalibration_id']}: {data['note']}"

    def _recalibrated(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} approved recalibration {data['recalibration_id']}: {data['note']}"

    def _closed(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} closed the goal as {words(data['outcome'])}: {data['summary']}"

    def _checked_in(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} checked in: {words(data['status'])}, confidence {data['confidence']} of 5"

    def _reassigned(self, who: str, data: dict[str, Any]) -> str:
        return (f"{who} moved the goal to {self.name_of(data['owner_id'])} (manager "
                f"{self.name_of(data['manager_id'])}): {data['reason']}")

    def _carried_over(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} carried the goal over to cycle {data['to_cycle']}: {data['reason']}"

    def _carried_in(self, who: str, data: dict[str, Any]) -> str:
        return f"{who} carried the goal in from cycle {data['from_cycle']}: {data['reason']}"

    def _milestone(self, milestone: dict[str, Any]) -> str:
        return (f"{self.kpi(milestone['kpi'])} at {amount(milestone['target'])} by "
                f"{long_day(milestone['due'], self.year)}")

    def changes(self, entry: TrailEntry) -> list[tuple[str, str, str]]:
        """Each field the event changed that its sentence does not say: its name in words, before, after."""
        plain_reading = entry.type == "KpiRecorded" and not entry.data.get("corrects_version")
        if entry.type in SAID_IN_THE_SENTENCE or plain_reading:
            return []
        return [(self.field(c.field), self.value(c.field, c.before), self.value(c.field, c.after))
                for c in entry.changes if c.field not in HIDDEN_FIELDS]

    def field(self, path: str) -> str:
        """'kpis.csat.target' -> 'target of CSAT'; 'measurements.csat@2026-03-01' -> 'CSAT reading for 1 March'."""
        proposed, path = path.startswith("proposed."), path.removeprefix("proposed.")
        parts = path.split(".")
        if parts[0] == "kpis" and len(parts) == 3:
            text = f"{words(parts[2])} of {self.kpi(parts[1])}"
        elif parts[0] == "measurements":
            kpi, _, day = parts[1].partition("@")
            text = f"{self.kpi(kpi)} reading for {long_day(day, self.year)}"
        elif parts[0] == "milestones" and len(parts) >= 2:
            kpi, _, day = parts[1].partition("@")
            text = f"{self.kpi(kpi)} milestone" + (f" of {long_day(day, self.year)}" if day else "")
        elif parts[0] in ("signatures", "recalibrations", "check_ins") and len(parts) >= 2:
            text = {"signatures": f"{parts[1]}'s signature", "recalibrations": f"recalibration {parts[1]}",
                    "check_ins": "check-in " + words(parts[-1])}[parts[0]]
        else:
            text = {"owner_id": "owner", "manager_id": "manager", "parent_goal_id": "parent goal"}.get(
                path, words(path))
        return ("proposed " if proposed else "") + text

    def value(self, path: str, value: Any) -> str:
        if value is None:
            return "none"
        if path in ("owner_id", "manager_id"):
            return self.name_of(str(value))
        if path.startswith("signatures."):  # "mgr-ana (terms of version 3)"
            person, _, rest = str(value).partition(" ")
            return f"{self.name_of(person)} {rest}".strip()
        return plain(value) if isinstance(value, str) else str(value)


def snake_case(type_name: str) -> str:
    """'KpiRecorded' -> 'kpi_recorded': the name of the method that says it."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in type_name).strip("_")


def words_for_type(type_name: str) -> str:
    """An event name this page has no sentence for, as words: 'SomethingNew' -> 'something new'."""
    return words(snake_case(type_name.rsplit(".", 1)[-1]))

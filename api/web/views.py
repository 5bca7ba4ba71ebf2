"""View helpers for the templates: words for codes, dates and amounts as people read them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

PACE_WORDS = {"on_track": "On track", "at_risk": "At risk", "behind": "Behind", "overdue": "Overdue",
              "no_readings": "No readings yet", "no_progress": "No progress yet"}
PACE_SYMBOLS = {"on_track": "✓", "at_risk": "!", "behind": "▼", "overdue": "⏰", "no_readings": "…",
                "no_progress": "…"}
# Worst first: the manager's list puts the goals that need attention at the top.
PACE_RANK = {"overdue": 0, "behind": 1, "at_risk": 2, "no_readings": 3, "no_progress": 3, "on_track": 4}


def shown_pace(goal: dict[str, Any]) -> str | None:
    """The pace a page shows: an agreed goal with no reading (yet, or as of the moment shown) is not "on track"
    beside 0%, it has no readings yet; one whose readings show no progress at all (0%, the band's unsatisfactory)
    is not "on track" either, early in the cycle as it may be: it has no progress yet."""
    pace: str | None = goal.get("pace")
    if goal.get("status") != "agreed" or pace == "overdue":
        return pace
    if not any(k.get("latest") is not None for k in goal.get("kpis", [])):
        return "no_readings"
    if pace == "on_track" and not goal.get("attainment"):
        return "no_progress"
    return pace


def pace_rank(pace: str | None) -> int:
    return PACE_RANK.get(pace or "", len(PACE_RANK))


def words(code: Any) -> str:
    """A snake_case code as words: partially_achieved -> partially achieved."""
    return "" if code is None else str(code).replace("_", " ")


SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def plain(text: Any) -> str:
    """A message for people: codes in it (needs_improvement, override_reason) read as words."""
    return SNAKE_CASE.sub(lambda found: found.group().replace("_", " "), "" if text is None else str(text))


def event_words(name: Any) -> str:
    """Goal.AgreementSigned or AgreementSigned -> agreement signed: what happened, not the event's class."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", str(name).rsplit(".", 1)[-1]).lower()


def moment(value: Any) -> str:
    """A moment to the minute, in UTC."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def day(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:10]


def amount(value: Any) -> str:
    """A decimal without trailing zeros (20.00 -> 20); '' for none."""
    if value is None:
        return ""
    number = Decimal(str(value))
    text = format(number.normalize(), "f") if number == number.to_integral() else format(number, "f").rstrip("0")
    return text.rstrip(".") if "." in text else text


def percent(value: Any) -> str:
    return "" if value is None else f"{round(float(value) * 100)}%"


def short_id(value: Any) -> str:
    return str(value)[:8]


def moment_input(value: datetime | None) -> str:
    """A moment as the value of a datetime-local field (seconds kept, UTC)."""
    return "" if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


FILTERS = {"words": words, "moment": moment, "day": day, "amount": amount, "percent": percent,
           "short_id": short_id, "moment_input": moment_input, "shown_pace": shown_pace,
           "event_words": event_words, "plain": plain}
ROLE_WORDS = {"employee": "employee", "manager": "manager", "hr": "HR", "auditor": "auditor", "service": "service",
              "equality_analyst": "equality analyst"}
GLOBALS = {"PACE_WORDS": PACE_WORDS, "PACE_SYMBOLS": PACE_SYMBOLS, "role_words": ROLE_WORDS}

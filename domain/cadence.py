"""A KPI's cadence as a period: when the next reading is due after the last one (or after agreement)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from domain.values import Cadence

MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3}


def next_reading_due(last: date, cadence: Cadence) -> date:
    """The day by which the next reading is expected: a week, a month or a quarter after `last`.

    A month after 31 January is the last day of February (the day of the month is kept where it exists).
    """
    if cadence is Cadence.WEEKLY:
        return last + timedelta(days=7)
    month_index = last.month - 1 + MONTHS[cadence]
    year, month = last.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(last.day, calendar.monthrange(year, month)[1]))

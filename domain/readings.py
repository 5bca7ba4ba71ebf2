"""What a goal keeps of its KPI readings to enforce its rules: bounded by its KPIs and days, never by its readings.

A second reading for the same KPI and day corrects the first and names the version it corrects, so the goal knows,
for each KPI and day it has a reading for, the version that counts; and, for each KPI, the reading of its latest
day (where the goal stands). The full series, corrected readings included, is history: it lives in the events and
the read models, not in the aggregate and its snapshots (ADR 0028).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from domain.values import Measurement


class CountedReadings:
    """Per KPI: the counted version of each day with a reading, and the reading of the latest day."""

    def __init__(self, versions: Mapping[str, Mapping[str, int]] | None = None,
                 latest: Mapping[str, Measurement] | None = None) -> None:
        # Days are ISO strings: the snapshot stores this as plain JSON, with nothing to decode per day.
        self.versions: dict[str, dict[str, int]] = {kpi: dict(days) for kpi, days in (versions or {}).items()}
        self.latest: dict[str, Measurement] = dict(latest or {})

    @classmethod
    def of(cls, series: Iterable[Measurement]) -> CountedReadings:
        """What the rules keep of a whole series, in the order it was recorded."""
        counted = cls()
        for reading in series:
            counted.record(reading)
        return counted

    def record(self, reading: Measurement) -> None:
        """The latest recorded reading for a KPI and day counts; it corrects any earlier one (the incremental form of
        domain.values.counted_readings, the rule's one definition: ADR 0030)."""
        self.versions.setdefault(reading.kpi, {})[reading.observed_at.isoformat()] = reading.version
        latest = self.latest.get(reading.kpi)
        if latest is None or reading.observed_at >= latest.observed_at:
            self.latest[reading.kpi] = reading

    def counted_version(self, kpi: str, day: date) -> int | None:
        """The version of the reading that counts for this KPI and day (None: no reading yet)."""
        return self.versions.get(kpi, {}).get(day.isoformat())

    def last_day(self, kpi: str | None = None) -> date | None:
        """The latest day with a reading, of one KPI or of any."""
        days = [m.observed_at for k, m in self.latest.items() if kpi is None or k == kpi]
        return max(days, default=None)

    def to_stored(self) -> dict[str, Any]:
        return {"versions": self.versions, "latest": self.latest}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> CountedReadings:
        return cls(data["versions"], data["latest"])

    def __deepcopy__(self, memo: dict[int, Any]) -> CountedReadings:
        # Copied for every command from the cached goal: flat dicts of strings and ints, and frozen readings.
        return CountedReadings(self.versions, self.latest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountedReadings) and (self.versions, self.latest) == (other.versions, other.latest)

    def __repr__(self) -> str:
        return f"CountedReadings({self.versions!r}, {self.latest!r})"

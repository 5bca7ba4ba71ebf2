"""KPI charts as server-side SVG (ADR 0017): readings, target (or range), milestones and recalibration points.

Shapes and dash patterns, not colour, tell the marks apart (circle: a reading that counts; hollow square: a reading
later corrected; diamond: a milestone, filled once met, hollow while upcoming, hollow and dashed once missed; dashed
line: the target in force; dotted vertical line: a recalibration; solid vertical line: today),
every mark carries a <title>, and the same figures come back as table rows for the text alternative.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup, escape

from api.web.ticks import is_whole, nice_ticks
from api.web.views import amount
from application.store.settings import BusinessCalendar
from domain.goal import Goal
from domain.values import Direction, Kpi, Measurement, RecalibrationStatus, counted_readings

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 96, 20, 36


DayOf = Callable[[datetime], date]
UTC_DAY: DayOf = BusinessCalendar("UTC").date_of  # the page passes the organisation's (GOALENGINE_TIMEZONE)
# Each milestone's status by its id: met, missed or upcoming, as the review judges it on the day shown
# (api/web/milestone_views.py milestone_words). A milestone the mapping does not name is only "due".
MilestoneStatus = Mapping[str, str]

@dataclass(frozen=True)
class FigureRow:
    """One line of the chart's table: a dated mark and what it shows."""

    day: date
    kind: str
    value: str
    detail: str
    version: int | None


@dataclass
class KpiChart:
    kpi: Kpi
    title: str
    svg: Markup
    rows: list[FigureRow] = field(default_factory=list)


@dataclass(frozen=True)
class TargetSpan:
    """The target (or range) in force from a day on."""

    start: date
    values: dict[str, Decimal | None]
    label: str


def target_spans(goal: Goal, kpi: Kpi, day_of: DayOf = UTC_DAY) -> list[TargetSpan]:
    """The agreed target, then each approved recalibration's, from the business day it was decided (`day_of`)."""
    in_force = next((k for k in goal.original_kpis if k.id == kpi.id), kpi)
    spans = [TargetSpan(goal.cycle.start, in_force.goal_values(), "agreed")]
    for recalibration in goal.recalibrations:
        change = recalibration.after.targets.get(kpi.id)
        if recalibration.status is RecalibrationStatus.APPROVED and change and recalibration.decided_at:
            in_force = change.applied_to(in_force)  # the one way a target change applies (domain.recalibration)
            spans.append(TargetSpan(day_of(recalibration.decided_at), in_force.goal_values(), recalibration.id))
    return spans


def counted(readings: Sequence[Measurement], kpi: Kpi) -> list[Measurement]:
    """The KPI's readings that count (the latest recorded for each day), by day."""
    per_day = counted_readings((m for m in readings if m.kpi == kpi.id), lambda m: m.observed_at)
    return sorted(per_day.values(), key=lambda m: m.observed_at)


def figure_rows(goal: Goal, kpi: Kpi, readings: Sequence[Measurement], day_of: DayOf = UTC_DAY,
                milestone_status: MilestoneStatus | None = None) -> list[FigureRow]:
    counts = {m.version for m in counted(readings, kpi)}
    rows = []
    for m in readings:
        if m.kpi != kpi.id:
            continue
        status = "counts" if m.version in counts else "corrected later"
        if m.corrects_version is not None:
            status += f"; corrects the reading of version {m.corrects_version}"
        detail = f"{status} · “{m.note}”" if m.note else status  # the note the reader wrote with it
        rows.append(FigureRow(m.observed_at, "reading", amount(m.value), detail, m.version))
    for milestone in goal.milestones:
        if milestone.kpi == kpi.id:
            rows.append(FigureRow(milestone.due, "milestone", amount(milestone.target),
                                  (milestone_status or {}).get(milestone.id, "due"), None))
    for span in target_spans(goal, kpi, day_of):
        rows.append(FigureRow(span.start, "target", _values_text(span.values),
                              "as agreed" if span.label == "agreed" else f"recalibration {span.label} approved", None))
    return sorted(rows, key=lambda r: (r.day, r.kind))


def kpi_chart(goal: Goal, kpi: Kpi, readings: Sequence[Measurement], day_of: DayOf = UTC_DAY,
              today: date | None = None, today_label: str = "today",
              milestone_status: MilestoneStatus | None = None) -> KpiChart:
    """The KPI's chart; `today` draws the today line (an as-of view passes its own day and label)."""
    rows = figure_rows(goal, kpi, readings, day_of, milestone_status)
    spans = target_spans(goal, kpi, day_of)
    end = max([goal.deadline or goal.cycle.end, *[r.day for r in rows]])
    values = _values(goal, kpi, spans, readings)
    scale = Scale(goal.cycle.start, end, values, whole=is_whole(values))
    title = f"{kpi.name} ({kpi.unit}): readings against the target"
    parts = [scale.axes(kpi.unit), *scale.today_mark(today, today_label)]
    parts += _target_marks(scale, spans, kpi)
    parts += _recalibration_marks(scale, spans[1:])
    parts += _milestone_marks(scale, goal, kpi, milestone_status or {})
    parts += _reading_marks(scale, readings, kpi)
    svg = Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-{escape(kpi.id)}-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-{escape(kpi.id)}-title">{escape(title)}; the figures '
        f'are in the table below</title>{"".join(parts)}</svg>'
    )
    return KpiChart(kpi, title, svg, rows)


class Scale:
    """Days to x and values to y inside the plot area; the value axis runs over round ticks (api/web/ticks.py)."""

    def __init__(self, start: date, end: date, values: list[Decimal], whole: bool = False) -> None:
        self.start, self.days = start, max((end - start).days, 1)
        self.ticks = nice_ticks(values, whole)
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.end = end

    def x(self, day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - self.start).days / self.days, 1)

    def y(self, value: Decimal | None) -> float:
        span = self.high - self.low
        return round(float(HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (Decimal(value or 0) - self.low) / span), 1)

    def axes(self, unit: str) -> str:
        bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
        parts = [f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>',
                 f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}"/>']
        for value in self.ticks:
            y = self.y(value)
            parts.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{right}" y2="{y}"/>'
                         f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" text-anchor="end">'
                         f'{escape(amount(value))}</text>')
        for day in day_ticks(self.start, self.end):
            parts.append(f'<text class="tick" x="{self.x(day)}" y="{bottom + 16}" text-anchor="middle">'
                         f'{day.day} {day:%b}</text>')
        parts.append(f'<text class="tick" x="4" y="{TOP - 6}">{escape(unit)}</text>')
        return "".join(parts)

    def today_mark(self, today: date | None, label: str) -> list[str]:
        """A solid vertical line at today (or at the moment an as-of view shows), if it falls in the chart."""
        if today is None or not self.start <= today <= self.end:
            return []
        x = self.x(today)
        return [f'<line class="today" x1="{x}" y1="{TOP}" x2="{x}" y2="{HEIGHT - BOTTOM}">'
                f'<title>{escape(label)}: {today.isoformat()}</title></line>'
                f'<text class="label today-label" x="{x + 3}" y="{HEIGHT - BOTTOM - 4}">{escape(label)}</text>']


def day_ticks(start: date, end: date, most: int = 7) -> list[date]:
    """The first day of months between start and end (every second or third month on a long axis), else both ends."""
    months = []
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if len(months) < 2:
        return [start, end] if start != end else [start]
    every = -(-len(months) // most)
    return months[::every]


def _values(goal: Goal, kpi: Kpi, spans: list[TargetSpan], readings: Sequence[Measurement]) -> list[Decimal]:
    values = [kpi.baseline]
    values += [m.value for m in readings if m.kpi == kpi.id]
    values += [m.target for m in goal.milestones if m.kpi == kpi.id]
    values += [v for span in spans for v in span.values.values() if v is not None]
    return [Decimal(v) for v in values]


def _target_marks(scale: Scale, spans: list[TargetSpan], kpi: Kpi) -> list[str]:
    parts = []
    for span, following in zip(spans, [*spans[1:], None], strict=True):
        x1, x2 = scale.x(span.start), scale.x(following.start if following else scale.end)
        if kpi.direction is Direction.RANGE:
            low, high = scale.y(span.values.get("low")), scale.y(span.values.get("high"))
            width, height = max(x2 - x1, 1), max(low - high, 1)
            parts.append(f'<rect class="range" x="{x1}" y="{high}" width="{width}" height="{height}">'
                         f'<title>range {escape(_values_text(span.values))} from {span.start}</title></rect>')
            continue
        y = scale.y(span.values.get("target"))
        parts.append(f'<line class="target" x1="{x1}" y1="{y}" x2="{x2}" y2="{y}">'
                     f'<title>target {escape(_values_text(span.values))} from {span.start}</title></line>')
    last = spans[-1]
    label_y = scale.y(last.values.get("target") if kpi.direction is not Direction.RANGE else last.values.get("high"))
    kind = "range" if kpi.direction is Direction.RANGE else "target"
    parts.append(f'<text class="label" x="{WIDTH - RIGHT + 4}" y="{label_y + 4}">'
                 f'{kind} {escape(_values_text(last.values))}</text>')
    return parts


def _recalibration_marks(scale: Scale, spans: list[TargetSpan]) -> list[str]:
    parts = []
    for span in spans:
        x = scale.x(span.start)
        parts.append(f'<line class="recalibration" x1="{x}" y1="{TOP}" x2="{x}" y2="{HEIGHT - BOTTOM}">'
                     f'<title>recalibration {escape(span.label)} approved on {span.start}</title></line>'
                     f'<text class="label" x="{x + 3}" y="{TOP + 10}">{escape(span.label)} approved</text>')
    return parts


def _milestone_marks(scale: Scale, goal: Goal, kpi: Kpi, statuses: MilestoneStatus) -> list[str]:
    parts = []
    for milestone in (m for m in goal.milestones if m.kpi == kpi.id):
        x, y = scale.x(milestone.due), scale.y(milestone.target)
        status = statuses.get(milestone.id)
        said = f": {escape(status)}" if status else ""
        parts.append(f'<polygon class="milestone{f" {escape(status)}" if status else ""}" '
                     f'points="{x},{y - 7} {x + 7},{y} {x},{y + 7} {x - 7},{y}">'
                     f'<title>milestone {escape(amount(milestone.target))} due {milestone.due}{said}</title></polygon>')
    return parts


def _reading_marks(scale: Scale, readings: Sequence[Measurement], kpi: Kpi) -> list[str]:
    counts = counted(readings, kpi)
    counted_versions = {m.version for m in counts}
    points = " ".join(f"{scale.x(m.observed_at)},{scale.y(m.value)}" for m in counts)
    parts = [f'<polyline class="readings" points="{points}"/>'] if len(counts) > 1 else []
    for m in readings:
        if m.kpi != kpi.id:
            continue
        x, y = scale.x(m.observed_at), scale.y(m.value)
        if m.version in counted_versions:
            parts.append(f'<circle class="reading" cx="{x}" cy="{y}" r="4.5" data-version="{m.version}">'
                         f'<title>reading {escape(amount(m.value))} on {m.observed_at} (version {m.version})'
                         f'</title></circle>')
        else:
            parts.append(f'<rect class="corrected" x="{x - 4.5}" y="{y - 4.5}" width="9" height="9" '
                         f'data-version="{m.version}"><title>reading {escape(amount(m.value))} on {m.observed_at} '
                         f'(version {m.version}), corrected later</title></rect>')
    return parts


def _values_text(values: dict[str, Decimal | None]) -> str:
    if "low" in values:
        return f"{amount(values.get('low'))} to {amount(values.get('high'))}"
    return amount(values.get("target"))

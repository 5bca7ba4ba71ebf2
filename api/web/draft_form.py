"""The drafting form's fields: several KPI rows (added and removed by a round-trip, no script needed), the terms they
make, the SMART findings beside the row or field that fixes them, and the API's field errors shown beside theirs.

A KPI row's fields are named `kpis-<row>-<field>` so that the API's error path `kpis.<row>.<field>` finds its input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from api.schemas.goals import KpiBody
from api.web.pages import FormProblem
from domain.smart import Criterion, SmartPolicy, SmartReport, assess
from domain.terms import GoalTerms
from domain.values import Cycle, Kpi

MAX_KPI_ROWS = 20  # the API's own limit of KPIs per goal
KPI_FIELDS = ("id", "name", "unit", "direction", "baseline", "target", "low", "high", "cadence")
OPTIONAL_AMOUNTS = ("target", "low", "high")  # left empty: none
KPI_DEFAULTS = {"direction": "increase", "cadence": "monthly"}
# Where each SMART criterion's findings are shown: beside the field that fixes them (KPI findings beside their row).
FINDING_FIELD = {Criterion.SPECIFIC: "statement", Criterion.RELEVANT: "rationale", Criterion.TIME_BOUND: "deadline",
                 Criterion.MEASURABLE: "kpis", Criterion.ACHIEVABLE: "kpis"}
KPI_CRITERIA = (Criterion.MEASURABLE, Criterion.ACHIEVABLE)
REMOVE_ROW = re.compile(r"^remove_kpi:(\d{1,2})$")


def row_count(fields: dict[str, str]) -> int:
    """How many KPI rows the form shows: its hidden count, kept between 1 and the API's limit."""
    text = fields.get("kpi_rows", "")
    if not (text.isascii() and text.isdigit()):
        return 1
    return MAX_KPI_ROWS if len(text) > 2 else min(max(int(text), 1), MAX_KPI_ROWS)


def kpi_row(fields: dict[str, str], row: int) -> dict[str, str]:
    return {name: fields.get(f"kpis-{row}-{name}", KPI_DEFAULTS.get(name, "")) for name in KPI_FIELDS}


def rows_of(fields: dict[str, str]) -> list[dict[str, str]]:
    return [kpi_row(fields, row) for row in range(row_count(fields))]


def with_rows(fields: dict[str, str], rows: list[dict[str, str]]) -> dict[str, str]:
    """The form's fields with these KPI rows in place of the ones it had."""
    kept = {name: value for name, value in fields.items() if not name.startswith("kpis-")}
    for row, values in enumerate(rows):
        kept.update({f"kpis-{row}-{name}": value for name, value in values.items()})
    return {**kept, "kpi_rows": str(max(len(rows), 1))}


def rearranged(fields: dict[str, str]) -> dict[str, str] | None:
    """The form after "Add another KPI" or "Remove KPI n" (nothing is stored); None for any other button."""
    action, rows = fields.get("action", ""), rows_of(fields)
    if action == "add_kpi":
        return with_rows(fields, [*rows, kpi_row({}, 0)] if len(rows) < MAX_KPI_ROWS else rows)
    removed = REMOVE_ROW.match(action)
    if removed is None:
        return None
    row = int(removed.group(1))
    return with_rows(fields, [r for i, r in enumerate(rows) if i != row] or [kpi_row({}, 0)])


def is_blank(row: dict[str, str]) -> bool:
    """A row the person left empty (only its choices at their defaults)."""
    return not any(row[name].strip() for name in KPI_FIELDS if name not in KPI_DEFAULTS)


def kpi_body(row: dict[str, str]) -> dict[str, Any]:
    return {**row, **{name: row[name] or None for name in OPTIONAL_AMOUNTS}}


def kpi_bodies(fields: dict[str, str]) -> list[dict[str, Any]]:
    """The KPIs as the API takes them. Empty rows at the end are ignored (an added row not used), so that the
    API's error for KPI n is still shown beside row n; a form left wholly blank still sends its first row."""
    rows = rows_of(fields)
    while len(rows) > 1 and is_blank(rows[-1]):
        rows.pop()
    return [kpi_body(row) for row in rows]


def terms_body(fields: dict[str, str]) -> dict[str, Any]:
    """The terms of the form as the API's draft and revision requests take them."""
    return {"title": fields.get("title", ""), "statement": fields.get("statement", ""), "kpis": kpi_bodies(fields),
            "deadline": fields.get("deadline") or None, "rationale": fields.get("rationale") or None,
            "weight": fields.get("weight") or "100", "org_unit": fields.get("org_unit") or None,
            "aligned_to": fields.get("aligned_to") or None}


def parsed_kpis(fields: dict[str, str]) -> list[tuple[int, Kpi]]:
    """Each row that parses, with its row number: the SMART check speaks while the form is half filled in."""
    parsed = []
    for row, values in enumerate(rows_of(fields)):
        try:
            parsed.append((row, KpiBody.model_validate(kpi_body(values)).to_domain()))
        except ValidationError:
            continue
    return parsed


@dataclass(frozen=True)
class Findings:
    """The SMART report of the whole form, and its findings by the field or KPI row they are shown beside."""

    report: SmartReport
    by_field: dict[str, list[Any]]


def findings_of(fields: dict[str, str], today: date, policy: SmartPolicy) -> Findings:
    kpis = parsed_kpis(fields)
    cycle = Cycle(fields.get("cycle_id", ""), _day(fields.get("cycle_start")) or today,
                  _day(fields.get("cycle_end")) or today)
    # Only what the SMART check reads matters here; the title and weight are checked when the draft is stored.
    terms = GoalTerms(title="", statement=fields.get("statement", ""), kpis=tuple(k for _, k in kpis),
                      deadline=_day(fields.get("deadline")), weight=Decimal(100),
                      rationale=fields.get("rationale") or None)
    report = assess(terms, cycle, today, policy)
    shown: dict[str, list[Any]] = {}
    for finding in report.findings:
        if finding.criterion not in KPI_CRITERIA or finding.code == "no_kpi":
            shown.setdefault(FINDING_FIELD[finding.criterion], []).append(finding)
    for row, kpi in kpis:  # each row's own findings beside it: the same check, on that KPI alone
        alone = assess(GoalTerms(title="", statement="", kpis=(kpi,), deadline=None, weight=Decimal(100)),
                       cycle, today, policy)
        shown[f"kpis-{row}"] = [f for f in alone.findings if f.criterion in KPI_CRITERIA]
    return Findings(report, shown)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def field_errors(problem: FormProblem | None) -> dict[str, str]:
    """The API's field errors (kpis.0.target) under the names of this form's inputs (kpis-0-target)."""
    if problem is None:
        return {}
    return {re.sub(r"\[(\d+)\]", r".\1", path).replace(".", "-"): message for path, message in problem.fields.items()}


def terms_fields(terms: GoalTerms) -> dict[str, str]:
    """A stored draft's terms as the form's fields, to edit them."""
    rows = [{"id": k.id, "name": k.name, "unit": k.unit, "direction": str(k.direction),
             "baseline": _text(k.baseline), "target": _text(k.target), "low": _text(k.low), "high": _text(k.high),
             "cadence": str(k.cadence)} for k in terms.kpis]
    base = {"title": terms.title, "statement": terms.statement, "deadline": terms.deadline.isoformat()
            if terms.deadline else "", "rationale": terms.rationale or "", "weight": _text(terms.weight),
            "org_unit": terms.org_unit or "", "aligned_to": terms.parent_goal_id or ""}
    return with_rows(base, rows)


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f") if value == value.to_integral() else str(value)

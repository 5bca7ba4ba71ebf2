"""The fairness packet (ADR 0041): one sentence first, a funnel plot with 95% and 99.8% limits, rows by status, and
each group's caveats. The same HTML serves the page's body and `goalengine fairness --format html`."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

W, H, LEFT, TOP, BOTTOM = 640, 320, 56, 16, 40
LIMITS = ((1.959964, "95%"), (3.090232, "99.8%"))
SUPPRESSED = "suppressed: fewer people than the minimum cell, or hidden so that such a group cannot be derived"
PRIMARY = {"manager": "eased", "org_unit": "eased", "decider": "approved"}
HEADINGS = {  # the report's figures (ADR 0041) as a reader names them; the JSON keeps its keys
    "group": "Group", "status": "Status", "direction": "Direction", "employees": "Employees", "count": "Count",
    "rate": "Rate", "wilson_low": "Lower bound (95%)", "wilson_high": "Upper bound (95%)",
    "rate_ratio": "Rate against the rest", "impact_ratio_vs_highest": "Rate against the highest group",
    "p_value": "p-value", "holm_p_value": "p-value, adjusted (Holm)", "bh_q_value": "q-value (Benjamini-Hochberg)",
    "mdr_higher": "Smallest ratio it can detect", "mean": "Mean", "rest_mean": "Mean of the rest",
    "caveats": "Caveats",
}


def primary_measure(report: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = PRIMARY.get(report["group_by"], "eased")
    return name, report["measures"][name]


def funnel_plot(measure: dict[str, Any], name: str) -> Markup:
    """Each group's rate against its number of employees, inside the limits a fair cycle would give at each size."""
    rows = [r for r in measure["groups"] if not r.get("suppressed")]
    employees = sum(r["employees"] for r in rows)
    overall = sum(r["count"] for r in rows) / employees if employees else 0.0
    largest = max((r["employees"] for r in rows), default=1) or 1

    def x(n: float) -> float:
        return LEFT + (W - LEFT - 16) * n / largest

    def y(rate: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - rate)

    parts = [f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{W - 16}" y2="{y(0):.1f}"/>',
             f'<line class="centre" x1="{LEFT}" y1="{y(overall):.1f}" x2="{W - 16}" y2="{y(overall):.1f}"/>']
    for z, label in LIMITS:
        for sign in (1, -1):
            points = " ".join(f"{x(n):.1f},{y(limit(overall, sign * z, n)):.1f}" for n in range(1, largest + 1))
            parts.append(f'<polyline class="limit limit-{label[:2]}" fill="none" points="{points}"><title>{label} '
                         f'limits</title></polyline>')
    for r in rows:
        parts.append(f'<circle class="group {escape(r["status"])}" cx="{x(r["employees"]):.1f}" '
                     f'cy="{y(r["rate"]):.1f}" r="5"><title>{escape(r["group"])}: {r["count"]} of '
                     f'{r["employees"]} employees, {escape(r["status"])}</title></circle>')
    parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y(1) + 4:.1f}" text-anchor="end">100%</text>'
                 f'<text class="tick" x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0%</text>'
                 f'<text class="tick" x="{W - 16}" y="{H - 12}" text-anchor="end">employees: {largest}</text>')
    return Markup(f'<svg class="chart funnel" viewBox="0 0 {W} {H}" role="img" aria-labelledby="funnel-title" '
                  f'xmlns="http://www.w3.org/2000/svg"><title id="funnel-title">Funnel plot of {escape(name)}: each '
                  f'group\'s rate by its employees, with 95% and 99.8% limits around the overall rate '
                  f'{overall:.1%}</title>{"".join(parts)}</svg>')


def limit(rate: float, z: float, n: int) -> float:
    """The overall rate plus z standard errors of a group of n, kept within 0 and 1."""
    return min(1.0, max(0.0, rate + z * math.sqrt(rate * (1 - rate) / n)))


def packet_body(report: dict[str, Any], provenance: bool = True) -> Markup:
    """The report's HTML body: sentence, provisional mark, funnel plot, a table per measure, then (for an auditor,
    and in the exported packet) where the report stands in the signed log."""
    name, measure = primary_measure(report)
    head = (f'<p class="summary">{escape(report["summary"])}.</p>'
            + ('<p class="provisional">Provisional: the cycle is not locked, the figures can still change.</p>'
               if report["provisional"] else ""))
    tables = "".join(measure_table(key, found, key == name) for key, found in sorted(report["measures"].items()))
    footer = (f'<p class="header" data-evidence>Evidence for auditors: report version {report["report_version"]} '
              f'(ADR {", ".join(report["adrs"])}); '
              f'log position {report["position"]}, tree size {report["tree_size"]}, root {escape(report["root_hash"])};'
              f' hash {escape(report["hash"])}.</p>')
    return Markup(head + str(funnel_plot(measure, name)) + tables + (footer if provenance else ""))


def measure_table(name: str, measure: dict[str, Any], primary: bool = False) -> str:
    """A measure's rows, by status (flag first), each group's caveats beside its figures."""
    binary = measure["kind"] == "binary"
    columns = (("status", "direction", "employees", "count", "rate", "wilson_low", "wilson_high", "rate_ratio",
                "impact_ratio_vs_highest", "p_value", "holm_p_value", "bh_q_value", "mdr_higher")
               if binary else ("status", "direction", "employees", "mean", "rest_mean", "p_value", "holm_p_value",
                               "bh_q_value"))
    head = "".join(f"<th scope=\"col\">{HEADINGS.get(c, c.replace('_', ' '))}</th>"
                   for c in ("group", *columns, "caveats"))
    body = "".join(
        f"<tr class=\"{escape(r.get('status', 'suppressed'))}\"><th scope=\"row\">{escape(r['group'])}</th>"
        + "".join(f"<td>{escape('—' if r.get(c) is None else r.get(c))}</td>" for c in columns)
        + f"<td>{escape('; '.join(r.get('caveats', [SUPPRESSED])))}</td></tr>" for r in measure["groups"])
    overall = measure["overall"]["p_value"]
    table_id = ' id="fairness-figures"' if primary else ""
    shown_p = escape("—" if overall is None else overall)
    caption = f'{escape(name.replace("_", " "))} (overall permutation p = {shown_p})'
    # The table scrolls inside its own focusable, named box: the page itself never overflows a phone.
    return (f'<div class="table-scroll" tabindex="0" role="region" aria-label="{caption}">'
            f'<table class="fairness figures"{table_id}><caption>{caption}</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def packet_document(report: dict[str, Any]) -> str:
    title = f"Fairness report: cycle {report['cycle']} by {report['group_by']}"
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><h1>{escape(title)}</h1>{packet_body(report)}</body></html>\n")

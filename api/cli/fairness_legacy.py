"""The fairness report of ADR 0007 (report version 1) as the CLI printed it before version 2: table, json or csv."""

from __future__ import annotations

import csv
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from application.audit.fairness import canonical_json

CSV_COLUMNS = ("group", "goals", "proposed", "approved", "rejected", "eased", "tightened", "mixed", "eased_goals",
               "median_days_before_deadline", "by_reason", "flagged")


def show(body: dict[str, Any], form: str) -> int:
    if form == "html":
        print("error: report version 1 has no html form; use --format table, json or csv")
        return 2
    {"json": print_json, "csv": print_csv, "table": print_table}[form](body)
    return 0


def print_json(body: dict[str, Any]) -> None:
    print(canonical_json(body).decode())


def print_csv(body: dict[str, Any]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(body):
        writer.writerow(row)


def print_table(body: dict[str, Any]) -> None:
    title = f"Recalibrations in cycle {body['cycle']} by {body['group_by']} (log position {body['position']})"
    table = Table(title=title)
    for column in CSV_COLUMNS:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows(body):
        table.add_row(*("—" if value is None else str(value) for value in row))
    console = Console()
    console.print(table)
    disparity = body["disparity"]
    console.print(f"disparity test: {disparity['test']}, p = {disparity['p_value']}; "
                  f"flagged: {', '.join(disparity['flagged']) or 'none'}")
    if disparity["caveat"]:
        console.print(f"caveat: {disparity['caveat']}")
    violations = body["four_eyes_violations"]
    console.print(f"four-eyes violations: {len(violations)}")
    for violation in violations:
        console.print(f"  {violation['event_id']}: {violation['decided_by']} ({', '.join(violation['broken'])})")
    print_reviews(console, body)
    console.print(f"hash: {body['hash']}")


def print_reviews(console: Console, body: dict[str, Any]) -> None:
    """The review decisions' figures (ADR 0025) and the closures the data does not support."""
    reviews = body["review_decisions"]
    for group in reviews["groups"]:
        bands = ", ".join(f"{band} {count}" for band, count in group["bands"].items())
        console.print(f"review decisions of {group['group']}: {group['decisions']} ({bands}); overrides up "
                      f"{group['overrides_up']}, down {group['overrides_down']}; disputed {group['disputed']}")
    for name in ("override_disparity", "band_disparity"):
        test = reviews[name]
        console.print(f"{name.replace('_', ' ')}: {test['test']}, p = {test['p_value']}"
                      + (f"; caveat: {test['caveat']}" if test["caveat"] else ""))
    for flagged in body["unsupported_achievements"]:
        console.print(f"closed achieved without support: {flagged['goal_id']} {flagged['kpi']} ({flagged['why']})")


def rows(body: dict[str, Any]) -> list[list[Any]]:
    flagged = set(body["disparity"]["flagged"])
    return [
        [*(group[c] for c in CSV_COLUMNS[:-2]), ";".join(f"{k}={v}" for k, v in group["by_reason"].items()),
         "yes" if group["group"] in flagged else "no"]
        for group in body["groups"]
    ]

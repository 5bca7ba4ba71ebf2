"""`goalengine fairness --cycle C --group-by manager|org_unit [--position N] [--format table|json|csv]`."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from application.audit.verification import LogPositionError
from api.bootstrap import command_goals
from application.audit.fairness import FairnessReport, GroupBy, recalibration_fairness

CSV_COLUMNS = ("group", "goals", "proposed", "approved", "rejected", "eased", "tightened", "mixed", "eased_goals",
               "median_days_before_deadline", "by_reason", "flagged")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("fairness", help="the recalibration fairness report of a cycle, per group")
    parser.add_argument("--cycle", required=True, help="the cycle id, e.g. 2026-H1")
    parser.add_argument("--group-by", choices=[str(g) for g in GroupBy], default=str(GroupBy.MANAGER))
    parser.add_argument("--position", type=int, default=None, metavar="N",
                        help="compute from the events up to this log position (default: all); same N, same bytes")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with command_goals() as goals:
        try:
            report = recalibration_fairness(goals, args.cycle, args.group_by, position=args.position)
        except LogPositionError as error:
            print(f"error: {error.message}")
            return 2
    {"json": print_json, "csv": print_csv, "table": print_table}[args.format](report)
    return 0


def print_json(report: FairnessReport) -> None:
    print(report.canonical().decode())


def print_csv(report: FairnessReport) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows(report.body):
        writer.writerow(row)


def print_table(report: FairnessReport) -> None:
    body = report.body
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

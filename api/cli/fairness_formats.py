"""The fairness report (version 2) as JSON, CSV (every statistic, a row per measure and group), a table, or HTML."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from api.web.fairness_packet import packet_document
from application.fairness.report import SignedReport

TABLE_COLUMNS = ("status", "direction", "group", "employees", "count", "rate", "rate_ratio", "p_value", "holm_p_value")


def csv_columns(report: dict[str, Any]) -> list[str]:
    """Every statistic any row carries, in a fixed order: measure first, caveats last."""
    keys = {key for m in report["measures"].values() for row in m["groups"] for key in row}
    return ["measure", "kind", *sorted(keys - {"caveats"}), "caveats"]


def print_json(report: SignedReport) -> None:
    print(report.canonical().decode())


def print_csv(report: SignedReport) -> None:
    body = report.body
    columns = csv_columns(body)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for name, measure in sorted(body["measures"].items()):
        for row in measure["groups"]:
            cells = {**row, "measure": name, "kind": measure["kind"], "caveats": "; ".join(row.get("caveats", []))}
            writer.writerow(["" if cells.get(c) is None else cells[c] for c in columns])


def print_table(report: SignedReport) -> None:
    body = report.body
    console = Console()
    console.print(body["summary"] + ("  (provisional: the cycle is not locked)" if body["provisional"] else ""))
    for name, measure in sorted(body["measures"].items()):
        table = Table(title=f"{name.replace('_', ' ')}: overall permutation p = {measure['overall']['p_value']}")
        columns = [c for c in TABLE_COLUMNS if any(c in row for row in measure["groups"])] + ["caveats"]
        for column in columns:
            table.add_column(column.replace("_", " "), overflow="fold")
        for row in measure["groups"]:
            cells = {**row, "caveats": "; ".join(row.get("caveats", []))}
            table.add_row(*("—" if cells.get(c) is None else str(cells.get(c)) for c in columns))
        console.print(table)
    console.print(f"position {body['position']}, tree size {body['tree_size']}, root {body['root_hash']}")
    console.print(f"hash: {body['hash']}")


def print_html(report: SignedReport) -> None:
    sys.stdout.write(packet_document(report.body))


FORMATS: dict[str, Callable[[SignedReport], None]] = {
    "json": print_json, "csv": print_csv, "table": print_table, "html": print_html}

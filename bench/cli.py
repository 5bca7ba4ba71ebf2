"""`python -m bench`: every benchmark, one after the other in this process tree, on each store; then the table."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import (
    api_load, audit, bounded, commands, lag, loads, machine, privacy, read_verification, rebuild, report, soak, targets,
)
from bench.config import DEFAULT, QUICK, Sizes
from bench.stats import Row
from bench.stores import POSTGRESQL, SQLITE, Databases, postgres_problem

SECTIONS = ("commands", "load", "rebuild", "lag", "http", "audit", "privacy", "reads")
# Long runs, only when named with --only: the soak (an hour per store by default) and the 100,000-reading goal.
LONG_SECTIONS = ("soak", "bounded")
RESULTS_DIR = Path("bench/results")
DOCUMENT = Path("docs/benchmarks.md")
MIN_RUNS = 3


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--store", choices=[SQLITE, POSTGRESQL, "both"], default="both",
                        help="both (default) skips PostgreSQL with a warning when it is unreachable")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one run: checks that it all still works")
    parser.add_argument("--sizes", nargs="*", default=[], metavar="NAME=N",
                        help=f"override sizes ({', '.join(asdict(DEFAULT))})")
    parser.add_argument("--scale-1m", action="store_true", help="add the rebuild and memory point at 1 M events "
                        "(PostgreSQL only; takes minutes)")
    parser.add_argument("--runs", type=int, help=f"runs per measurement (default {MIN_RUNS}; 1 with --quick)")
    parser.add_argument("--only", nargs="*", choices=SECTIONS + LONG_SECTIONS, default=list(SECTIONS),
                        help=f"sections to run (default: all but {' and '.join(LONG_SECTIONS)})")
    parser.add_argument("--soak-minutes", type=int, help="minutes the soak lasts (the same as --sizes soak_minutes=N)")
    parser.add_argument("--profile", action="store_true", help="with the http section: py-spy samples one more "
                        "80/20 run of `goalengine serve` and the table says where a request's time goes")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/ or docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the JSON document to this path")
    args = parser.parse_args(argv)
    if args.soak_minutes is not None:
        args.sizes.append(f"soak_minutes={args.soak_minutes}")
    try:
        args.sizes = (QUICK if args.quick else DEFAULT).with_overrides(args.sizes)
    except ValueError as error:
        parser.error(str(error))
    args.runs = args.runs or (1 if args.quick else MIN_RUNS)
    if args.runs < 1 or (args.runs < MIN_RUNS and not args.quick):
        parser.error(f"--runs must be at least {MIN_RUNS} (medians and spreads need them), or use --quick")
    return args


def stores_for(choice: str, console: Console) -> list[str]:
    if choice == SQLITE:
        return [SQLITE]
    problem = postgres_problem()
    if choice == POSTGRESQL and problem:
        raise SystemExit(f"python -m bench: {problem}")
    if problem:
        console.print(f"[yellow]skipping PostgreSQL: {problem}[/yellow]")
        return [SQLITE]
    return [SQLITE, POSTGRESQL] if choice == "both" else [POSTGRESQL]


def measure_store(store: str, args: argparse.Namespace, progress: Callable[[str], None]) -> list[Row]:
    databases = Databases(store)
    sizes: Sizes = args.sizes
    rows: list[Row] = []
    try:
        if "commands" in args.only:
            rows += commands.measure(databases, sizes, args.runs, progress)
        if "load" in args.only:
            rows += loads.measure(databases, sizes, args.runs, progress)
        if "rebuild" in args.only:
            rows += rebuild.measure(databases, sizes, args.runs, progress, scale=args.scale_1m and store == POSTGRESQL)
        if "lag" in args.only:
            rows += lag.measure(databases, sizes, args.runs, progress)
        if "http" in args.only:
            rows += api_load.measure(databases, sizes, args.runs, progress, profile=args.profile)
        if "audit" in args.only:
            rows += audit.measure(databases, sizes, args.runs, progress)
        if "privacy" in args.only:
            rows += privacy.measure(databases, sizes, args.runs, progress)
        if "reads" in args.only:
            rows += read_verification.measure(databases, sizes, args.runs, progress)
        if "bounded" in args.only:
            rows += bounded.measure(databases, sizes, args.runs, progress)
    finally:
        databases.close()
    return rows


def run(argv: Sequence[str] | None = None, console: Console | None = None) -> dict[str, Any]:
    """Runs the benchmarks and returns the JSON document (also printed as tables, and written unless --no-write)."""
    args = parse(argv)
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    command = "python -m bench" + "".join(f" {shlex.quote(a)}" for a in (sys.argv[1:] if argv is None else argv))
    stores = stores_for(args.store, console)
    rows: list[Row] = []
    for store in stores:
        rows += measure_store(store, args, lambda message: console.log(message))
    if "soak" in args.only:
        rows += soak.side_by_side(stores, args.sizes, lambda message: console.log(message))
    ratios = targets.all_ratios(rows, stores)
    report.show(console, rows, ratios)
    meta = {"command": command, "machine": machine.describe(), "sizes": asdict(args.sizes), "runs": args.runs,
            "stores": stores, "sections": args.only, "scale_1m": args.scale_1m}
    document = report.as_json(meta, rows, ratios)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n")
    if not args.no_write:
        json_path = report.write_json(RESULTS_DIR, document)
        report.update_markdown(DOCUMENT, report.markdown(meta, rows, ratios, str(json_path)))
        console.print(f"wrote {json_path} and {DOCUMENT}")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    run(argv)
    return 0

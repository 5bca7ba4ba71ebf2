"""`goalengine audit export --cycle C [--position N] [--out FILE]`: the cycle's events with their inclusion proofs,
one signed checkpoint and the reports as served, for docs/audit/recompute_fairness.py (ADR 0041)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from api.bootstrap import command_goals
from application.audit.chain import SigningKeyMissingError
from application.audit.tree import TamperDetectedError
from application.audit.verification import LogPositionError
from application.fairness.export import export_cycle
from application.fairness.report import CycleNotFoundError
from application.store.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cycle", default=None, help="export a cycle for recomputing its fairness report")
    parser.add_argument("--position", type=int, default=None, metavar="N", help="up to this log position")


def run(args: argparse.Namespace, open_settings: Callable[[], Settings | None]) -> int:
    if (args.cycle is None) == (args.goal_id is None):
        print("error: give either GOAL_ID (with --out) or --cycle C")
        return 2
    if args.cycle is None:
        print("error: a goal's bundle needs --out FILE")
        return 2
    settings = open_settings()
    if settings is None:
        return 2
    with command_goals(settings) as goals:
        try:
            export = export_cycle(goals, args.cycle, args.position)
        except (CycleNotFoundError, LogPositionError) as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
        except (TamperDetectedError, SigningKeyMissingError) as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 1
    text = json.dumps(export, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(export['events'])} events of cycle {args.cycle} up to position {export['position']}: {args.out}")
    return 0

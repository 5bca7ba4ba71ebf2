"""`goalengine people ...`: the directory of people from files, for organisations without an identity provider.

`people import FILE.csv [--dry-run]` is here; other `people` subcommands live in modules of their own, each
with a `register_people(subcommands)` named in PEOPLE_MODULES, so the group grows without this file changing much.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from api.bootstrap import command_goals
from api.cli.privacy_setup import privacy_settings
from application.directory.importing import import_people
from application.directory.service import Directory
from application.errors import StoreBusyError
from domain.values import Actor, Role

# Modules under api/cli/ that add subcommands to `goalengine people` (each defines register_people(subcommands)).
PEOPLE_MODULES: tuple[str, ...] = ("people_attributes",)  # `people attributes ...` (ADR 0042)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("people", help="the directory of people, from files")
    subcommands = parser.add_subparsers(dest="people_command", required=True)
    importing = subcommands.add_parser(
        "import", help="import people and reporting lines from a CSV file (all or nothing; idempotent)",
        description="Columns: id, user_name, display_name, email, title, org_unit, manager_id, groups (names "
                    "joined by ';'), active.")
    importing.add_argument("file", metavar="FILE.csv", type=Path)
    importing.add_argument("--dry-run", action="store_true", help="print what would change; store nothing")
    importing.add_argument("--by", default="goalengine-cli", metavar="HR_ID", help="the HR person importing")
    importing.set_defaults(handler=run_import)
    for name in PEOPLE_MODULES:
        importlib.import_module(f"api.cli.{name}").register_people(subcommands)


def run_import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"goalengine people import: cannot read {args.file}: {error}")
        return 2
    with command_goals(privacy_settings(writes=not args.dry_run)) as goals:
        try:
            plan = import_people(Directory(goals), text, Actor(args.by, Role.HR), today=goals.today(),
                                 dry_run=args.dry_run)
        except StoreBusyError as error:  # another import (or a SCIM push) held the directory's turn too long
            print(f"goalengine people import: {error.message}")
            return 1
    for line, reason in plan.refusals:
        print(f"{args.file}:{line}: {reason}")
    if plan.refusals:
        print(f"refused: {len(plan.refusals)} problem(s); nothing was stored")
        return 1
    for change in plan.changes:
        print(("would record " if args.dry_run else "recorded ") + change)
    if not plan.changes:
        print("nothing to change: the directory already says what the file says")
    elif not args.dry_run:
        print(f"{len(plan.changes)} change(s) stored at position {plan.position}")
    return 0

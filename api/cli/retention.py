"""`goalengine retention run [--dry-run] [--today D]`: erase whom the retention policy says is due (ADR 0026)."""

from __future__ import annotations

import argparse
from datetime import date

from api.bootstrap import command_goals
from api.cli.privacy_setup import privacy_settings
from application.privacy.retention import run_retention
from application.store.settings import SettingsError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("retention", help="erase personal text whose retention period has ended")
    actions = parser.add_subparsers(dest="retention_command", required=True)
    run_parser = actions.add_parser("run", help="erase everyone due (GOALENGINE_RETENTION_YEARS after their cycles)")
    run_parser.add_argument("--dry-run", action="store_true", help="only list whom the run would erase")
    run_parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                            help="the business date to judge by (default: today in GOALENGINE_TIMEZONE)")
    run_parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with command_goals(privacy_settings(writes=not args.dry_run)) as goals:
        years = goals.settings.retention_years
        if years is None:
            raise SettingsError("GOALENGINE_RETENTION_YEARS is not set: no retention policy to apply")
        due = run_retention(goals, args.today or goals.today(), years, dry_run=args.dry_run)
    verb = "would erase" if args.dry_run else "erased"
    for person in due:
        print(f"{verb} {person.person_id}: {person.reason(years)} (due {person.due_on.isoformat()})")
    print(f"{len(due)} person(s) {verb}")
    return 0

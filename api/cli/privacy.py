"""`goalengine privacy migrate`: seal the personal text a store holds in the clear (written before ADR 0026)."""

from __future__ import annotations

import argparse

from api.bootstrap import command_goals
from api.cli.privacy_setup import privacy_settings
from application.audit.migration import MigrationRefusedError
from application.privacy.migration import migrate_personal_fields


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("privacy", help="seal a store's plaintext personal text under per-person keys")
    actions = parser.add_subparsers(dest="privacy_command", required=True)
    migrate = actions.add_parser("migrate", help="seal every plaintext personal field, re-signing its chain")
    migrate.set_defaults(handler=run_migrate)


def run_migrate(args: argparse.Namespace) -> int:
    with command_goals(privacy_settings(writes=True)) as goals:
        try:
            result = migrate_personal_fields(goals)
        except MigrationRefusedError as error:
            print(f"error: {error.message}")
            return 1
    if result.checkpoint is None:
        print("nothing to migrate: every personal field is already sealed")
        return 0
    print(f"sealed {result.fields} personal field(s); re-signed {result.events} event(s) in place")
    print("checkpoint after the migration (earlier checkpoints no longer match; the signed migration record keeps "
          "the last one):")
    print(result.checkpoint, end="")
    return 0

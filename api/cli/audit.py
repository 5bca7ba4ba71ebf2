"""`goalengine audit export GOAL_ID --out FILE` (an auditor's bundle), `audit export --cycle C` (a fairness
export, api/cli/fairness_export.py) and `goalengine audit migrate --old-key FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path
from uuid import UUID

from api.cli import fairness_export
from application.audit.bundle import bundle_json, export_bundle
from application.audit.chain import SigningKeyMissingError
from application.audit.migration import MigrationRefusedError, migrate
from application.audit.tree import TamperDetectedError
from application.errors import GoalNotFoundError
from api.bootstrap import command_goals, signing_settings
from application.audit.store_check import VerifySetupError
from application.store.settings import Settings


def goal_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a goal id") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="export an auditor's bundle; migrate a store from the HMAC chain")
    actions = parser.add_subparsers(dest="audit_command", required=True)
    export = actions.add_parser("export", help="one goal's events (or a cycle's, --cycle) with inclusion proofs "
                                "and a signed checkpoint")
    export.add_argument("goal_id", type=goal_id, metavar="GOAL_ID", nargs="?")
    export.add_argument("--out", metavar="FILE", help="where to write (a cycle's export: standard output if absent)")
    fairness_export.add_arguments(export)
    export.set_defaults(handler=run_export)
    migration = actions.add_parser("migrate", help="verify the HMAC chain with its old key, then sign every event")
    migration.add_argument("--old-key", required=True, metavar="FILE", help="the file holding the old HMAC audit key")
    migration.set_defaults(handler=run_migrate)


def signing_settings_or_none() -> Settings | None:
    try:
        return signing_settings()
    except VerifySetupError as error:
        print(f"error: {error}")
        return None


def run_export(args: argparse.Namespace) -> int:
    if args.cycle is not None or args.goal_id is None or args.out is None:
        return fairness_export.run(args, signing_settings_or_none)
    settings = signing_settings_or_none()
    if settings is None:
        return 2
    with command_goals(settings) as goals:
        try:
            bundle = export_bundle(goals, args.goal_id)
        except (GoalNotFoundError, TamperDetectedError, SigningKeyMissingError) as error:
            print(f"error: {error.message}")
            return 1
    Path(args.out).write_text(bundle_json(bundle), encoding="utf-8")
    print(f"{len(bundle['events'])} events of goal {args.goal_id}, proven in the tree of size {bundle['tree_size']}: "
          f"{args.out}")
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    try:
        old_key = Path(args.old_key).read_text(encoding="utf-8").strip().encode()
    except OSError as error:
        print(f"error: --old-key: cannot read {args.old_key}: {error.strerror}")
        return 2
    settings = signing_settings_or_none()
    if settings is None:
        return 2
    with command_goals(settings) as goals:
        try:
            result = migrate(goals, old_key)
        except MigrationRefusedError as error:
            print(f"error: {error.message}")
            return 1
    print(f"migrated {result.events} events from the HMAC chain (old digest {result.old_digest}) to signed events")
    print("checkpoint after the migration:")
    print(result.checkpoint, end="")
    return 0

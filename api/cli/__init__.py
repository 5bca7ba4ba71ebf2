"""The `goalengine` command. Each subcommand lives in api/cli/<name>.py and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from api.bootstrap import environment_settings
from application.store.settings import SettingsError

# Commands that read an existing store and must not create one (ADR 0020): they stop with exit 2 when it is missing.
# verify checks its store and keys itself (exit 2 naming the missing setting, ADR 0013).
NEEDS_STORE = frozenset({"projections", "webhooks", "replay", "fairness", "notices", "erase", "export-person",
                         "retention", "privacy", "scim", "people", "mail"})
SETTINGS_ERROR = 2

# Modules under api/cli/ that each define register(subparsers) and set a `handler` default.
COMMAND_MODULES = ("demo", "serve", "projections", "webhooks", "event_schemas", "verify", "replay", "fairness",
                   "keys", "checkpoint", "audit", "relay", "notices", "erase", "export_person", "retention", "privacy",
                   "witness", "scim", "people", "mail", "worker")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goalengine", description="Event-sourced goal lifecycle engine.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"api.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in NEEDS_STORE:
            environment_settings().require_store()
        return int(args.handler(args) or 0)
    except SettingsError as error:
        print(f"goalengine {args.command}: {error}", file=sys.stderr)
        return SETTINGS_ERROR


if __name__ == "__main__":
    sys.exit(main())

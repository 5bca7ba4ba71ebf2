"""The `goalengine` command. Each subcommand lives in api/cli/<name>.py and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules under api/cli/ that each define register(subparsers) and set a `handler` default.
COMMAND_MODULES = ("demo", "serve", "projections", "webhooks", "event_schemas", "verify", "replay", "fairness", "relay")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="goalengine", description="Event-sourced goal lifecycle engine.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"api.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

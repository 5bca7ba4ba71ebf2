"""`goalengine export-person PERSON [--out FILE]`: everything the store holds about a person, as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from api.bootstrap import command_goals
from api.cli.privacy_setup import privacy_settings
from application.privacy.export import export_person


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export-person", help="a person's data, opened, as JSON (subject access)")
    parser.add_argument("person_id", metavar="PERSON")
    parser.add_argument("--out", metavar="FILE", help="write it here instead of to standard output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with command_goals(privacy_settings(writes=False)) as goals:
        text = json.dumps(export_person(goals, args.person_id), indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"the data of {args.person_id}: {args.out}")
    else:
        print(text)
    return 0

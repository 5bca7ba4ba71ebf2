"""`goalengine people attributes import FILE.csv | erase PERSON_ID | snapshot --cycle C` (ADR 0042).

Protected characteristics from the HRIS, sealed per person, never in the event log. api/cli/people.py hangs these
commands under its `people` group (PEOPLE_MODULES).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from api.bootstrap import command_goals
from application.equality.attributes import AttributeImportError, erase_attributes, import_attributes, take_snapshot
from application.privacy.keys import DataMasterKeyMissingError

MAX_FILE = 50 * 1024 * 1024


def register_people(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = actions.add_parser("attributes", help="protected characteristics for equality analysis (opt-in)")
    commands = parser.add_subparsers(dest="attributes_command", required=True)
    load = commands.add_parser("import", help="store or correct values: person_id,<attribute>,... (UTF-8 CSV)")
    load.add_argument("file", metavar="FILE.csv")
    load.set_defaults(handler=run_import)
    erase = commands.add_parser("erase", help="delete a person's values (their snapshots go with their data key)")
    erase.add_argument("person_id", metavar="PERSON_ID")
    erase.set_defaults(handler=run_erase)
    snapshot = commands.add_parser("snapshot", help="snapshot and hash the values for a cycle (done when it opens)")
    snapshot.add_argument("--cycle", required=True)
    snapshot.set_defaults(handler=run_snapshot)


def run_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_FILE:
            print(f"error: {path} is larger than {MAX_FILE} bytes")
            return 2
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"error: cannot read {path}: {error}")
        return 2
    with command_goals() as goals:
        try:
            stored = import_attributes(goals, text)
        except (AttributeImportError, DataMasterKeyMissingError) as error:
            print(f"error: {error.message}; nothing was stored")
            return 2
    print(f"{stored} values stored, each sealed under its person's data key")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    with command_goals() as goals:
        removed = erase_attributes(goals, args.person_id)
    print(f"{removed} values of {args.person_id} erased")
    return 0


def run_snapshot(args: argparse.Namespace) -> int:
    with command_goals() as goals:
        snapshot = take_snapshot(goals, args.cycle)
    print(f"cycle {snapshot.cycle_id}: {snapshot.rows} values, sha256 {snapshot.digest}")
    return 0

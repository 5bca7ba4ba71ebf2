"""`goalengine event-schemas`: write each event type's data JSON Schema to docs/events (or check it is current)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from application.events.schemas import SCHEMAS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("event-schemas", help="write the event data JSON Schemas to a folder")
    parser.add_argument("--out", default="docs/events", help="the folder (default: docs/events)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if the folder is out of date")
    parser.set_defaults(handler=run)


def rendered() -> dict[str, str]:
    """File name -> content, one file per CloudEvents type."""
    return {f"{event_type}.json": json.dumps(schema, indent=2) + "\n" for event_type, schema in SCHEMAS.items()}


def run(args: argparse.Namespace) -> int:
    folder = Path(args.out)
    wanted = rendered()
    present = {path.name: path.read_text() for path in folder.glob("*.v*.json")} if folder.exists() else {}
    stale = sorted(name for name in wanted.keys() | present.keys() if wanted.get(name) != present.get(name))
    if args.check:
        for name in stale:
            print(f"{folder / name} is out of date; run `goalengine event-schemas --out {folder}`")
        return 1 if stale else 0
    folder.mkdir(parents=True, exist_ok=True)
    for name in stale:
        if name in wanted:
            (folder / name).write_text(wanted[name])
        else:
            (folder / name).unlink()  # the schema of a type that no longer exists
    print(f"{len(wanted)} schemas in {folder} ({len(stale)} written or removed)")
    return 0

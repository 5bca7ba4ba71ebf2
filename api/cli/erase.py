"""`goalengine erase PERSON --reason R`: crypto-shred a person's personal text; the trail still verifies (ADR 0026)."""

from __future__ import annotations

import argparse

from api.bootstrap import command_goals
from api.cli.privacy_setup import privacy_settings
from application.privacy.erasure import erase_person
from domain.errors import GoalError
from domain.values import Actor, Role


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("erase", help="erase a person's personal text by deleting their data keys")
    parser.add_argument("person_id", metavar="PERSON")
    parser.add_argument("--reason", required=True, help="why (recorded in the trail; no personal data)")
    parser.add_argument("--by", default="goalengine-cli", metavar="HR_ID", help="the HR person erasing")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with command_goals(privacy_settings(writes=True)) as goals:
        try:
            erasure = erase_person(goals, args.person_id, Actor(args.by, Role.HR), args.reason)
        except GoalError as error:
            print(f"error: {error.message}")
            return 1
    print(f"erased {args.person_id}: {len(erasure.keys)} data key(s) deleted; the erasure notice is at position "
          f"{erasure.position}; their text now reads as [erased] (the projector scrubs the read models)")
    return 0

"""`goalengine checkpoint [--out FILE]`: the latest signed checkpoint, as GET /audit/checkpoint answers it."""

from __future__ import annotations

import argparse
from pathlib import Path

from application.audit.chain import SigningKeyMissingError
from application.audit.log import audit_log
from application.audit.tree import TamperDetectedError
from api.bootstrap import command_goals, signing_settings
from application.audit.store_check import VerifySetupError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("checkpoint", help="print (or write) the latest signed checkpoint of the log")
    parser.add_argument("--out", default=None, metavar="FILE", help="write it to FILE instead of printing it")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = signing_settings()
    except VerifySetupError as error:
        print(f"error: {error}")
        return 2
    with command_goals(settings) as goals:
        try:
            note = audit_log(goals).checkpoint()
        except (TamperDetectedError, SigningKeyMissingError) as error:
            print(f"error: {error.message}")
            return 1
    if args.out is None:
        print(note, end="")
    else:
        Path(args.out).write_text(note, encoding="utf-8")
        print(f"checkpoint of tree size {note.split(chr(10))[1]} written to {args.out}")
    return 0

"""`goalengine mail digest --now`: send today's digest of each person's inbox at once (the leading server sends it
once a day by itself when GOALENGINE_SMTP_URL is set). People who had today's digest already are skipped."""

from __future__ import annotations

import argparse

from rich.console import Console

from api.bootstrap import command_goals, digest_for
from application.directory.service import Directory
from application.notifications.mail import MailSettingsError

console = Console(stderr=True)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("mail", help="e-mail notifications: the daily digest of each person's inbox")
    commands = parser.add_subparsers(dest="mail_command", required=True)
    digest = commands.add_parser("digest", help="send the daily digest")
    digest.add_argument("--now", action="store_true", required=True, help="send it now, not at the leader's round")
    digest.set_defaults(handler=send_digest)


def send_digest(_args: argparse.Namespace) -> int:
    with command_goals() as goals:
        try:
            digest = digest_for(goals, Directory(goals))
        except (MailSettingsError, ValueError) as error:
            console.print(f"goalengine mail: {error}")
            return 2
        if digest is None:
            console.print("goalengine mail: GOALENGINE_SMTP_URL is not set (e.g. smtp://127.0.0.1:2525)")
            return 2
        sent = digest.send(goals.today())
        console.print(f"{sent} digest(s) sent")
    return 0

"""`goalengine notices run`: the notifier of early warnings in the foreground (ADR 0024).

The background worker (`goalengine worker`, which serve starts) runs the same notifier in its leading projector;
this command is for a store served without it (GOALENGINE_NOTICES_IN_PROCESS=false) or for one catch-up (--once).
Two notifiers at once emit nothing twice.
"""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from rich.console import Console

from api.bootstrap import command_goals, notifier_for

console = Console(stderr=True)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("notices", help="derive the early warnings (overdue readings, pace, milestones)")
    commands = parser.add_subparsers(dest="notices_command", required=True)
    run = commands.add_parser("run", help="follow the log and the calendar until stopped")
    run.add_argument("--poll-interval", type=float, default=1.0, help="seconds between looks at the log")
    run.add_argument("--once", action="store_true", help="catch up to the head and look at today once, then exit")
    run.set_defaults(handler=run_notifier)


def run_notifier(args: argparse.Namespace) -> int:
    stopping = threading.Event()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with command_goals() as goals:
        notifier = notifier_for(goals)
        emitted = notifier.step()
        while not args.once and not stopping.wait(args.poll_interval):
            emitted += notifier.step()
        console.print(f"{emitted} warning(s) emitted; position {notifier.position()}")
    return 0

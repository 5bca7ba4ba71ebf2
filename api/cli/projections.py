"""`goalengine projections run|status|rebuild`: keep read models caught up, show their lag, rebuild them."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from api.bootstrap import command_goals, projector_for
from projections.runner import DEFAULT_BATCH_SIZE, REBUILD_BATCH_SIZE, ProjectionRunner, UnknownProjectionError
from projections.service import build_runner

console = Console(stderr=True)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("projections", help="run, inspect or rebuild the read models")
    commands = parser.add_subparsers(dest="projections_command", required=True)
    run = commands.add_parser("run", help="keep every read model caught up with the event log until stopped")
    run.add_argument("--poll-interval", type=float, default=0.5, help="seconds to wait when nothing is new")
    run.add_argument("--once", action="store_true", help="catch up to the head once, then exit")
    run.set_defaults(handler=run_projections)
    status = commands.add_parser("status", help="each projection's position, the log's head and the lag")
    status.set_defaults(handler=show_status)
    rebuild = commands.add_parser("rebuild", help="clear a read model and replay it from the first event")
    rebuild.add_argument("name", nargs="?", help="the projection to rebuild (default: all)")
    rebuild.set_defaults(handler=rebuild_projections)
    for command, size in ((run, DEFAULT_BATCH_SIZE), (rebuild, REBUILD_BATCH_SIZE)):
        command.add_argument("--batch-size", type=_positive, default=size, help="events per transaction")


def run_projections(args: argparse.Namespace) -> int:
    stopping = threading.Event()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if args.once:
        with open_runner(args.batch_size) as runner:
            applied = runner.catch_up(stop=stopping.is_set)
            console.print(f"applied {applied} event(s); positions {runner.positions()}")
        return 0
    with command_goals() as goals:
        # The same projector `goalengine worker` runs (serve starts one): it leads if no other process does (a
        # lease on PostgreSQL, a file lock on SQLite) and otherwise stands by to take over (ADR 0016).
        projector = projector_for(goals, poll_interval=args.poll_interval, batch_size=args.batch_size)
        projector.start()
        stopping.wait()
        projector.stop()
        console.print(f"stopped; positions {projector.runner.positions()}")
    return 0


def show_status(_args: argparse.Namespace) -> int:
    with open_runner(DEFAULT_BATCH_SIZE) as runner:
        table = Table("projection", "position", "head", "lag")
        for status in runner.status():
            table.add_row(status.name, str(status.position), str(status.head), str(status.lag))
        Console().print(table)
    return 0


def rebuild_projections(args: argparse.Namespace) -> int:
    with open_runner(args.batch_size) as runner:
        try:
            names = [runner.projection(args.name).name] if args.name else list(runner.projections)
        except UnknownProjectionError as error:
            console.print(f"[red]{error}[/red]")
            return 2
        head = runner.goals.head_position()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                   TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=console) as progress:
            tasks = {name: progress.add_task(name, total=head) for name in names}
            for name in names:
                runner.rebuild(name, on_batch=lambda n, _c, position: progress.update(tasks[n], completed=position))
                progress.update(tasks[name], completed=head)
    return 0


class RateColumn(ProgressColumn):
    """Events per second so far."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "- events/s")


@contextmanager
def open_runner(batch_size: int) -> Iterator[ProjectionRunner]:
    """A runner over the configured store (GOALENGINE_DATABASE_URL), closed on the way out."""
    with command_goals() as goals:
        yield build_runner(goals, batch_size)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value

"""`goalengine replay GOAL_ID [--as-of T]`: a goal's trail as a table of who changed what, and where it ended up."""

from __future__ import annotations

import argparse
from datetime import datetime, UTC
from typing import Any
from uuid import UUID

from rich.console import Console
from rich.table import Table

from application.errors import GoalNotFoundError
from api.bootstrap import command_goals
from application.goals.warnings import WarningLedger
from application.goals.history import TrailEntry, describe_trail, goal_standing
from application.reviews.records import ReviewRecords
from application.reviews.history import describe_review


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("replay", help="print a goal's trail and its state at the end (or at a moment)")
    parser.add_argument("goal_id", type=goal_id, metavar="GOAL_ID", nargs="?")
    parser.add_argument("--review", metavar="EMPLOYEE_ID", help="replay an employee's review instead (with --cycle)")
    parser.add_argument("--cycle", metavar="CYCLE_ID", help="the review's cycle, e.g. 2026-H1")
    parser.add_argument("--as-of", type=moment, default=None, metavar="T",
                        help="ISO 8601 moment: only events recorded up to then (no zone: UTC)")
    parser.set_defaults(handler=run)


def goal_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a goal id (a UUID)") from None


def moment(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 moment such as 2026-03-31T12:00:00Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    if args.review or args.goal_id is None:
        return replay_review(args)
    console = Console()
    with command_goals() as goals:
        try:
            events = goals.goal_events(args.goal_id, until=args.as_of)
            if not events:
                console.print(f"[red]goal {args.goal_id} did not exist yet at {args.as_of.isoformat()}[/red]")
                return 1
            standing = goal_standing(goals.get_goal(args.goal_id, version=events[-1].originator_version))
            warnings = WarningLedger(goals).trail(str(args.goal_id), until=args.as_of)
        except GoalNotFoundError as error:
            console.print(f"[red]{error.message}[/red]")
            return 1
    console.print(trail_table(describe_trail(events), args.goal_id, args.as_of))
    console.print(standing_table(standing))
    if warnings:
        console.print(warnings_table(warnings))
    return 0


def warnings_table(entries: list[TrailEntry]) -> Table:
    """The goal's early warnings (ADR 0024): what was announced when, and what it rested on."""
    table = Table(title="Early warnings", show_lines=True)
    for column in ("When", "Warning", "What", "Evidence"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        data = entry.data
        what = ", ".join(f"{k} {shown(data[k])}" for k in ("kpi", "due_by", "pace_before", "pace", "milestone_id")
                         if k in data)
        evidence = f"position {data['evidence_position']}: {', '.join(data['evidence'])}"
        table.add_row(entry.timestamp[:19].replace("T", " "), entry.type.rsplit(".", 1)[-1], what, evidence)
    return table


def trail_table(entries: list[TrailEntry], goal: UUID, as_of: datetime | None) -> Table:
    title = f"Goal {goal}" + (f" as of {as_of.isoformat()}" if as_of else "")
    table = Table(title=title, show_lines=True)
    for column in ("v", "When", "Who", "Role", "Event", "What changed"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        changed = "\n".join(f"{c.field}: {shown(c.before)} -> {shown(c.after)}" for c in entry.changes)
        table.add_row(str(entry.version), entry.timestamp[:19].replace("T", " "), entry.actor_id, entry.actor_role,
                      entry.type, changed or "-")
    return table


def standing_table(standing: dict[str, Any]) -> Table:
    table = Table(title="State at the end", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in ("status", "version", "title", "deadline", "outcome", "pending_recalibration"):
        table.add_row(name, shown(standing[name]))
    for kpi_id, target in standing["targets"].items():
        values = ", ".join(f"{k} {v}" for k, v in target.items() if k not in ("direction", "unit"))
        table.add_row(f"target {kpi_id}", f"{target['direction']}: {values} {target['unit']}")
    for kpi_id, latest in standing["latest_values"].items():
        table.add_row(f"latest {kpi_id}", f"{latest['value']} on {latest['observed_at']}")
    return table


def shown(value: Any) -> str:
    if value is None:
        return "—"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def replay_review(args: argparse.Namespace) -> int:
    """The review of one employee and cycle, step by step (application/reviews/history.py)."""
    console = Console()
    if not (args.review and args.cycle):
        console.print("[red]name a GOAL_ID, or a review with --review EMPLOYEE_ID --cycle CYCLE_ID[/red]")
        return 2
    with command_goals() as goals:
        entries = describe_review(ReviewRecords(goals).steps(args.review, args.cycle, until=args.as_of))
    if not entries:
        console.print(f"[red]no review of {args.review!r} in {args.cycle!r}" + (" by then" if args.as_of else "")
                      + "[/red]")
        return 1
    table = Table(title=f"Review of {args.review} in {args.cycle}", show_lines=True)
    for column in ("v", "When", "Who", "Role", "Step", "What changed"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        changed = "\n".join(f"{c.field}: {shown(c.before)} -> {shown(c.after)}" for c in entry.changes)
        table.add_row(str(entry.version), entry.timestamp[:19].replace("T", " "), entry.actor_id, entry.actor_role,
                      entry.type, changed or "-")
    console.print(table)
    return 0

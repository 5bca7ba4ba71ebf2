"""`goalengine verify [--position N] [--expect-digest D]`: recompute the hash chains; exit 1 on the first bad event."""

from __future__ import annotations

import argparse

from application.audit.verification import LogPositionError, verify_trail
from application.goals import Goals


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify", help="check that the stored trail is unaltered; print the log digest and event count"
    )
    parser.add_argument("--position", type=int, default=None, metavar="N",
                        help="verify the events up to this log position (default: all of them)")
    parser.add_argument("--expect-digest", default=None, metavar="D",
                        help="a digest recorded earlier at --position: a different digest is reported as tampering")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    goals = Goals()
    try:
        result = verify_trail(goals, position=args.position, expected_digest=args.expect_digest)
    except LogPositionError as error:
        print(f"error: {error.message}")
        return 2
    finally:
        goals.close()
    if result.problem is None:
        print(f"intact: {result.events} events up to position {result.position}")
        print(f"digest: {result.digest}")
        return 0
    problem = result.problem
    print(f"TAMPERED ({problem.kind}) at position {problem.position}: goal {problem.goal_id}, version {problem.version}")
    print(problem.detail)
    print(f"{result.events} events verified before it")
    return 1

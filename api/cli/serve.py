"""`goalengine serve`: the HTTP API on uvicorn; `goalengine token`: a bearer token signed with the configured secret."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from api.app import create_app
from api.auth import DEFAULT_TTL_SECONDS, issue_token
from application.settings import Settings
from domain.values import Role


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo-token", action="store_true", help="print the docs URL and a token for a demo hr user")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (PostgreSQL only above 1): they share the store, the idempotency keys "
                       "and one projector leader")
    serve.set_defaults(handler=run_serve)

    token = subparsers.add_parser("token", help="print a bearer token signed with GOALENGINE_SECRET")
    token.add_argument("--sub", required=True, help="the person's id")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="seconds until it expires")
    token.set_defaults(handler=run_token)


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.workers < 1:
        return _refuse(f"--workers must be at least 1, not {args.workers}")
    if args.workers > 1 and settings.store != "postgresql":
        return _refuse(
            f"--workers {args.workers} needs PostgreSQL; the {settings.store} store serves one "
            "process (one writer, one projector, in-process wake-ups). Set GOALENGINE_DATABASE_URL to a "
            "postgresql+psycopg:// URL, or leave --workers at 1."
        )
    if args.demo_token:
        print(f"goalengine on {settings.store}: docs at http://{args.host}:{args.port}/docs")
        print(f"demo hr token (sub hr-demo): {issue_token(settings.api_secret, 'hr-demo', Role.HR)}", flush=True)
    if args.workers > 1:
        # Each worker builds its own app from the environment; they share the store, and so everything else.
        uvicorn.run("api.app:create_app", factory=True, workers=args.workers, host=args.host, port=args.port,
                    log_level="info")
        return 0
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def _refuse(message: str) -> int:
    print(f"goalengine serve: {message}", file=sys.stderr)
    return 2  # a usage error, as argparse's own


def run_token(args: argparse.Namespace) -> int:
    if args.ttl <= 0:
        raise SystemExit("goalengine token: --ttl must be a positive number of seconds")
    print(issue_token(Settings.from_env().api_secret, args.sub, args.role, args.ttl))
    return 0

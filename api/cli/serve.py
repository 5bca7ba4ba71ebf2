"""`goalengine serve`: the HTTP API on uvicorn; `goalengine token`: a bearer token signed with the configured secret."""

from __future__ import annotations

import argparse

import uvicorn

from api.app import create_app
from api.auth import DEFAULT_TTL_SECONDS, issue_token
from api.web.session import SIGN_IN_LINK_TTL, sign_in_link
from application.settings import Settings
from domain.values import Role


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo-token", action="store_true", help="print the docs URL and a token for a demo hr user")
    serve.set_defaults(handler=run_serve)

    token = subparsers.add_parser("token", help="print a bearer token signed with GOALENGINE_SECRET")
    token.add_argument("--sub", required=True, help="the person's id")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="seconds until it expires")
    token.add_argument("--login-url", action="store_true",
                       help="print a one-time sign-in link for the web workspace instead (valid 10 minutes, once)")
    token.add_argument("--base", default="http://127.0.0.1:8000", help="the workspace's address, for --login-url")
    token.set_defaults(handler=run_token)


def run_serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.demo_token:
        print(f"goalengine on {settings.store}: docs at http://{args.host}:{args.port}/docs")
        print(f"demo hr token (sub hr-demo): {issue_token(settings.api_secret, 'hr-demo', Role.HR)}", flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def run_token(args: argparse.Namespace) -> int:
    if args.ttl <= 0:
        raise SystemExit("goalengine token: --ttl must be a positive number of seconds")
    secret = Settings.from_env().api_secret
    if args.login_url:
        ttl = args.ttl if args.ttl != DEFAULT_TTL_SECONDS else SIGN_IN_LINK_TTL
        print(sign_in_link(secret, args.sub, args.role, args.base, ttl))
        return 0
    print(issue_token(secret, args.sub, args.role, args.ttl))
    return 0

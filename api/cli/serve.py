"""`goalengine serve`: the HTTP API on uvicorn; `goalengine token`: a bearer token signed with the configured secret."""

from __future__ import annotations

import argparse
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from api.app import create_app
from api.cli.malloc_arenas import bound_malloc_arenas
from api.cli.preflight import require_usable_data_master_key
from api.cli.worker_child import background_worker
from api.auth import DEFAULT_TTL_SECONDS, is_clean_subject, issue_token
from api.cli.keys import ensure_demo_data_key, ensure_demo_keys
from api.bootstrap import bootstrap, environment_settings, guard_settings, identity_settings
from application.demo import HR as DEMO_HR
from api.guards.server import uvicorn_config
from api.observability.logs import configure_json_logs
from api.web.session import SIGN_IN_LINK_TTL, sign_in_link
from application.store.settings import SettingsError
from domain.values import Role


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo-token", action="store_true", help="print the docs URL and a token for a demo hr user")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (PostgreSQL only above 1): they share the store, the idempotency keys "
                       "and one background worker")
    serve.add_argument("--no-worker", action="store_true",
                       help="start no background worker: run `goalengine worker` yourself (ADR 0048)")
    serve.set_defaults(handler=run_serve)

    token = subparsers.add_parser("token", help="print a bearer token signed with GOALENGINE_SECRET")
    token.add_argument("--sub", required=True, help="the person's id")
    token.add_argument("--role", required=True, choices=[r.value for r in Role])
    token.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="seconds until it expires")
    token.add_argument("--login-url", action="store_true",
                       help="print a one-time sign-in link for the web workspace instead (valid 10 minutes, once)")
    token.add_argument("--base", default="http://127.0.0.1:8000", help="the workspace's address, for --login-url")
    token.set_defaults(handler=run_token)


MIN_SECRET_BYTES = 32


def run_serve(args: argparse.Namespace) -> int:
    for demo_key in (ensure_demo_keys(), ensure_demo_data_key()) if args.demo_token else ():
        if demo_key:
            print(demo_key, flush=True)
    settings = environment_settings(create=True)
    bound_malloc_arenas(settings.bounds.malloc_arenas)  # before any thread; its worker and request processes inherit it
    if args.workers < 1:
        return _refuse(f"--workers must be at least 1, not {args.workers}")
    if args.workers > 1 and settings.store != "postgresql":
        return _refuse(
            f"--workers {args.workers} needs PostgreSQL; the {settings.store} store serves one "
            "request process (one writer of events; the background worker beside it). Set GOALENGINE_DATABASE_URL to a "
            "postgresql+psycopg:// URL, or leave --workers at 1."
        )
    require_usable_data_master_key(settings)  # a sealed store without its key refuses (exit 2) before any warning
    if settings.data_master_key is None:
        print("warning: no data master key (GOALENGINE_DATA_MASTER_KEY_FILE): commands that carry personal text "
              "answer 503 data_master_key_missing", flush=True)
    if settings.audit_signing_key is None:
        print("warning: no audit signing key (GOALENGINE_AUDIT_SIGNING_KEY_FILE): serving read-only, "
              "commands answer 503 signing_key_missing", flush=True)
    if len(settings.api_secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"GOALENGINE_SECRET must be at least {MIN_SECRET_BYTES} bytes (it signs every token); "
                            "unset it to have a random one generated in var/secret")
    if args.demo_token:
        print(f"goalengine on {settings.store}: docs at http://{args.host}:{args.port}/docs")
        # The demo organisation's HR partner: in directory mode (after `goalengine demo`) a token must name a person.
        print(f"demo hr token (sub {DEMO_HR.id}): {issue_token(settings.api_secret, DEMO_HR.id, Role.HR)}", flush=True)
    guards = guard_settings()
    configure_json_logs()
    if args.workers > 1:
        # Each process builds its own app from the environment; they share the store, and so everything else.
        config = uvicorn_config("api.app:create_request_app", args.host, args.port, guards, factory=True,
                                workers=args.workers)
        with background_worker(not args.no_worker):
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        return 0
    app = create_app(services=bootstrap(settings, guards=guards, in_process_background=False))
    with background_worker(not args.no_worker) as worker:  # started once the app's tables exist
        if worker is not None:  # stopped with the app: uvicorn ends the process by re-raising SIGTERM after it
            app.state.on_shutdown.append(worker.stop)
        uvicorn.Server(uvicorn_config(app, args.host, args.port, guards)).run()
    return 0


def _refuse(message: str) -> int:
    print(f"goalengine serve: {message}", file=sys.stderr)
    return 2  # a usage error, as argparse's own


def run_token(args: argparse.Namespace) -> int:
    max_ttl = guard_settings().token_max_ttl
    if not 0 < args.ttl <= max_ttl:
        raise SettingsError(f"--ttl must be 1 to {max_ttl} seconds (GOALENGINE_TOKEN_MAX_TTL)")
    if not is_clean_subject(args.sub):
        raise SettingsError("--sub must be printable, NFC-normalised, without surrounding spaces, "
                            "at most 200 characters")
    if not identity_settings().local_tokens:
        raise SettingsError("GOALENGINE_LOCAL_TOKENS=false: the server refuses local tokens and sign-in links; "
                            "use the identity provider")
    settings = environment_settings()
    settings.require_secret()
    if args.login_url:
        ttl = args.ttl if args.ttl != DEFAULT_TTL_SECONDS else SIGN_IN_LINK_TTL
        print(sign_in_link(settings.api_secret, args.sub, args.role, args.base, ttl))
        return 0
    print(issue_token(settings.api_secret, args.sub, args.role, args.ttl))
    return 0

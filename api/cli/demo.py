"""`goalengine demo`: seed the demo organisation into an empty store (once) and print a sign-in link per role."""

from __future__ import annotations

import argparse

from api.bootstrap import environment_settings, seed_demo_store
from api.cli.keys import ensure_demo_data_key, ensure_demo_keys
from api.web.session import sign_in_link
from application.demo import SIGN_IN_PEOPLE
from application.store.settings import BusinessCalendar

DEMO_LINK_TTL = 3600  # the README's "each works once, within 60 minutes" (tests/api/test_readme_settings.py holds them)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="seed a small demo organisation into an empty store and print sign-in links")
    parser.add_argument("--base", default="http://127.0.0.1:8000", help="the workspace's address, for the links")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    for demo_key in (ensure_demo_keys(), ensure_demo_data_key()):  # the demo's events are signed and sealed
        if demo_key:
            print(demo_key)
    settings = environment_settings(create=True)  # demo, like serve, may create the store and its secret
    if seed_demo_store(settings, BusinessCalendar(settings.timezone).today()):
        print(f"demo organisation seeded into {settings.store}: 2 managers, 6 employees, 7 goals, 3 recalibrations")
    else:
        print(f"the store ({settings.store}) already holds events: nothing seeded")
    print(f"one-time sign-in links (each works once, within {DEMO_LINK_TTL // 60} minutes):")
    for person in SIGN_IN_PEOPLE:
        link = sign_in_link(settings.api_secret, person.id, person.role, args.base, DEMO_LINK_TTL)
        print(f"  {person.role:<9} {person.id:<9} {link}")
    return 0

"""`goalengine scim token --name NAME | tokens | revoke NAME`: the identity provider's provisioning tokens (ADR 0034).

A token is printed once and stored hashed; it is valid only under /scim/v2, where it lets its holder keep the
directory (people, reporting lines, groups) and nothing else.
"""

from __future__ import annotations

import argparse

from application.directory.tokens import ProvisioningTokenError, ProvisioningTokens
from api.bootstrap import environment_settings
from application.store.database import create_sql_engine


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("scim", help="provisioning tokens for the SCIM 2.0 endpoint /scim/v2")
    commands = parser.add_subparsers(dest="scim_command", required=True)
    token = commands.add_parser("token", help="make a provisioning token (printed once, stored hashed)")
    token.add_argument("--name", required=True, help="who holds it, e.g. okta (recorded as the actor of its changes)")
    token.set_defaults(handler=make_token)
    listing = commands.add_parser("tokens", help="list the provisioning tokens (names and dates, never the tokens)")
    listing.set_defaults(handler=list_tokens)
    revoke = commands.add_parser("revoke", help="revoke a provisioning token: it stops working at once")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=revoke_token)


def _tokens() -> ProvisioningTokens:
    return ProvisioningTokens(create_sql_engine(environment_settings()))


def make_token(args: argparse.Namespace) -> int:
    try:
        token = _tokens().create(args.name)
    except ProvisioningTokenError as error:
        print(f"goalengine scim token: {error.message}")
        return 1
    print(token)
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    for token in _tokens().list():
        state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M} UTC" if token.revoked_at else "live"
        print(f"{token.name.split('~')[0]}\tcreated {token.created_at:%Y-%m-%d %H:%M} UTC\t{state}")
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    if not _tokens().revoke(args.name):
        print(f"goalengine scim revoke: no live token named {args.name!r}")
        return 1
    print(f"revoked {args.name}")
    return 0

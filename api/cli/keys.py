"""`goalengine keys generate --out DIR` and `goalengine keys rotate`: the audit signing key pair (ADR 0013)."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from application.audit.keys import (PRIVATE_FILE, PUBLIC_FILE, KeyFileError, generate_pair, key_id,
                                    load_public_keys, load_signer, public_pem, verifier_key)
from application.store.settings import DEFAULT_AUDIT_ORIGIN, create_private_file

KEYRING_FILE = "audit-keyring.pub"
DEMO_KEY_DIR = "var/keys"
DEMO_DATA_KEY = "var/keys/data-master.key"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("keys", help="generate or rotate the audit signing key pair")
    actions = parser.add_subparsers(dest="keys_command", required=True)
    generate = actions.add_parser("generate", help="write DIR/audit-signing.key (private) and .pub (public)")
    generate.add_argument("--out", required=True, metavar="DIR")
    generate.add_argument("--name", default=None, help="the key name in the verifier key (default: the origin)")
    generate.add_argument("--force", action="store_true", help="overwrite a key pair already in DIR")
    generate.set_defaults(handler=run_generate)
    rotate = actions.add_parser("rotate", help="sign with a new key from now on; keep the old public key")
    rotate.add_argument("--dir", default=None, metavar="DIR",
                        help="the key directory (default: that of GOALENGINE_AUDIT_SIGNING_KEY_FILE)")
    rotate.add_argument("--name", default=None, help="the key name in the verifier key (default: the origin)")
    rotate.set_defaults(handler=run_rotate)
    data = actions.add_parser("data-key", help="write a new data master key (64 hex digits, 0600) to FILE")
    data.add_argument("--out", required=True, metavar="FILE")
    data.set_defaults(handler=run_data_key)


def key_name(args: argparse.Namespace) -> str:
    return args.name or os.environ.get("GOALENGINE_AUDIT_ORIGIN") or DEFAULT_AUDIT_ORIGIN


def run_generate(args: argparse.Namespace) -> int:
    directory = Path(args.out)
    if (directory / PRIVATE_FILE).exists() and not args.force:
        print(f"error: {directory / PRIVATE_FILE} exists; use `goalengine keys rotate` or --force")
        return 2
    signer = generate_pair(directory)
    (directory / KEYRING_FILE).write_bytes(public_pem(signer.public))
    print(f"private key: {directory / PRIVATE_FILE} (mode 0600: keep it off the data volume)")
    print(f"public key:  {directory / PUBLIC_FILE} (key id {signer.key_id})")
    print(f"verifier key: {verifier_key(key_name(args), signer.public)}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    configured = os.environ.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    if args.dir is None and not configured:
        print("error: no key directory: pass --dir DIR or set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
        return 2
    directory = Path(args.dir) if args.dir else Path(str(configured)).parent
    try:
        old = load_signer((directory / PRIVATE_FILE).read_bytes(), str(directory / PRIVATE_FILE))
    except (OSError, KeyFileError) as error:
        print(f"error: no key pair to rotate in {directory}: {error}")
        return 2
    retired = directory / f"audit-signing-{old.key_id}.pub"
    retired.write_bytes(public_pem(old.public))
    keyring = directory / KEYRING_FILE
    known = load_public_keys(keyring.read_bytes()) if keyring.exists() else [old.public]
    signer = generate_pair(directory)
    ids = {key_id(k) for k in known}
    keyring.write_bytes(b"".join(public_pem(k) for k in [*known, signer.public] if key_id(k) in ids | {signer.key_id}))
    print(f"retired key {old.key_id}: its public key stays in {retired}; its private key is replaced")
    print(f"new key {signer.key_id}: {directory / PRIVATE_FILE}, {directory / PUBLIC_FILE}")
    print(f"verifier key: {verifier_key(key_name(args), signer.public)}")
    print(f"keyring (every public key so far): {keyring}; verify with --public-key {keyring}, and set "
          f"GOALENGINE_AUDIT_PUBLIC_KEY_FILE={keyring} on the server; restart it to sign with the new key")
    return 0


def run_data_key(args: argparse.Namespace) -> int:
    path = Path(args.out)
    if path.exists():
        print(f"error: {path} exists: a data master key is never overwritten (the data keys it wraps would be lost)")
        return 1
    create_private_file(path, (secrets.token_hex(32) + "\n").encode())
    print(f"data master key: {path}; set GOALENGINE_DATA_MASTER_KEY_FILE={path} and back it up apart from the data")
    return 0


def ensure_demo_data_key() -> str | None:
    """For `make run`: a demo data master key in var/ unless one is configured (ADR 0026); says what it did."""
    if os.environ.get("GOALENGINE_DATA_MASTER_KEY_FILE"):
        return None
    path = Path(DEMO_DATA_KEY)
    message = f"sealing personal text with the demo data master key {path}"
    if not path.exists():
        create_private_file(path, (secrets.token_hex(32) + "\n").encode())
        message = f"created a demo data master key {path} (for production keep it off the data volume)"
    os.environ["GOALENGINE_DATA_MASTER_KEY_FILE"] = str(path)
    return message


def ensure_demo_keys() -> str | None:
    """For `make run`: a demo key pair under var/keys unless a signing key is configured; says what it did."""
    if os.environ.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE"):
        return None
    directory = Path(DEMO_KEY_DIR)
    if not (directory / PRIVATE_FILE).exists():
        generate_pair(directory)
        message = f"created a demo audit key pair in {directory}/ (for production keep the key off the data volume)"
    else:
        message = f"signing with the demo audit key pair in {directory}/"
    os.environ["GOALENGINE_AUDIT_SIGNING_KEY_FILE"] = str(directory / PRIVATE_FILE)
    return message

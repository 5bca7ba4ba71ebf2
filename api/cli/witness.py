"""`goalengine witness --log URL --log-key FILE --key FILE --state DIR [--once]`: cosign consistent checkpoints.

Exit status with --once: 0 cosigned, 1 refused (not consistent with what it saw) or the log did not answer, 2 for
unusable options. Without --once it checks every --interval seconds until stopped, saying loudly what it refuses.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from application.audit.keys import KeyFileError, load_public_keys, load_signer, read_key_file
from application.audit.note import CheckpointError
from application.audit.witness import LogUnreachableError, Witness, WitnessRefusalError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("witness", help="cosign the log's checkpoints while they stay consistent")
    parser.add_argument("--log", required=True, metavar="URL", help="the log's base URL")
    parser.add_argument("--log-key", required=True, metavar="FILE", help="the log's public key (PEM)")
    parser.add_argument("--key", required=True, metavar="FILE", help="this witness's Ed25519 private key (PEM)")
    parser.add_argument("--state", required=True, metavar="DIR", help="where this witness keeps what it saw")
    parser.add_argument("--name", default=None, help="the witness's name in its cosignatures "
                                                     "(default: goalengine-witness/<key id>)")
    parser.add_argument("--once", action="store_true", help="check and cosign once, then exit")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks (default 30)")
    parser.set_defaults(handler=run)


def witness_of(args: argparse.Namespace) -> Witness:
    log_keys = load_public_keys(read_key_file(args.log_key, "--log-key"), args.log_key)
    signer = load_signer(read_key_file(args.key, "--key"), args.key)
    name = args.name or f"goalengine-witness/{signer.key_id}"
    return Witness(args.log, log_keys, signer.private, name, Path(args.state))


def run(args: argparse.Namespace) -> int:
    try:
        witness = witness_of(args)
        witness.seen()
    except (KeyFileError, CheckpointError, OSError) as error:
        print(f"error: {error}")
        return 2
    stopping = threading.Event()

    def stop(_signal: int, _frame: FrameType | None) -> None:
        stopping.set()

    if not args.once:
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
    while True:
        status = step(witness)
        if args.once:
            return status
        if stopping.wait(args.interval):
            return 0


def step(witness: Witness) -> int:
    try:
        checkpoint = witness.step()
    except WitnessRefusalError as error:
        print(f"REFUSED to cosign {witness.log_url}: {error}", file=sys.stderr, flush=True)
        print(f"REFUSED: {error}", flush=True)
        return 1
    except LogUnreachableError as error:
        print(f"error: {error}", flush=True)
        return 1
    print(f"cosigned {checkpoint.origin} at size {checkpoint.size} as {witness.name}", flush=True)
    return 0

"""`goalengine verify`: recompute every signature chain and the Merkle tree; exit 0 intact, 1 tampered, 2 unusable.

Needs only public keys (`--public-key FILE`, repeatable, or GOALENGINE_AUDIT_PUBLIC_KEY_FILE) and an existing store;
creates nothing. `--checkpoint FILE` proves the log still extends a checkpoint kept earlier; `--snapshots` also
compares every stored snapshot with a replay of its events.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from application.audit.note import Checkpoint, CheckpointError, verify_checkpoint
from application.audit.snapshot_check import snapshot_mismatches
from api.bootstrap import command_goals, verifying_settings
from application.audit.store_check import VerifySetupError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.cosignature import cosignatures
from application.audit.keys import KeyFileError, load_public_keys, read_key_file
from application.audit.witnesses import largest_cosigned
from application.goals.service import Goals
from application.audit.migration import migration_records
from application.audit.verification import LogPositionError, TrailVerification, verify_trail


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify", help="check that the stored trail is unaltered; print the event count, tree size and root hash"
    )
    parser.add_argument("--public-key", action="append", default=[], metavar="FILE",
                        help="a trusted public key (PEM); repeat it for a keyring (default: "
                             "GOALENGINE_AUDIT_PUBLIC_KEY_FILE)")
    parser.add_argument("--checkpoint", default=None, metavar="FILE",
                        help="a signed checkpoint kept earlier: the log must still contain it")
    parser.add_argument("--witness-key", action="append", default=[], metavar="FILE",
                        help="a witness's public key (PEM); repeat it for several witnesses")
    parser.add_argument("--min-witnesses", type=int, default=None, metavar="N",
                        help="require a checkpoint cosigned by at least N of the witness keys, and the log to hold it "
                             "(default: 1 when --witness-key is given)")
    parser.add_argument("--snapshots", action="store_true",
                        help="also compare every stored snapshot with a replay of its events")
    parser.add_argument("--position", type=int, default=None, metavar="N",
                        help="verify the events up to this log position (default: all of them)")
    parser.add_argument("--expect-digest", default=None, metavar="D",
                        help="a digest recorded earlier at --position: a different digest is reported as tampering")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = verifying_settings(args.public_key)
        checkpoint = read_checkpoint(args.checkpoint, settings.audit_public_keys)
        witnesses = witness_requirement(args)
    except VerifySetupError as error:
        print(f"error: {error}")
        return 2
    with command_goals(settings) as goals:
        if witnesses is not None:
            checkpoint = witnessed_checkpoint(goals, args.checkpoint, checkpoint, *witnesses)
            if checkpoint is None:
                return 1
        try:
            result = verify_trail(goals, position=args.position, expected_digest=args.expect_digest,
                                  checkpoint=checkpoint)
            mismatches = snapshot_mismatches(goals) if args.snapshots and result.intact else []
            migrations = migration_records(goals)
        except LogPositionError as error:
            print(f"error: {error.message}")
            return 2
    for record in migrations:
        print(f"migrated from the HMAC chain on {record['migrated_at']}: {record['events']} events, "
              f"old digest {record['old_digest']}")
    return report(result, checkpoint, mismatches)


def witness_requirement(args: argparse.Namespace) -> tuple[list[Ed25519PublicKey], int] | None:
    """The witness keys and how many of them must have cosigned (None when no witness is asked for)."""
    if not args.witness_key:
        if args.min_witnesses:
            raise VerifySetupError("--min-witnesses needs --witness-key FILE (the witnesses' public keys)")
        return None
    try:
        keys = [key for path in args.witness_key for key in load_public_keys(read_key_file(path, "--witness-key"),
                                                                              path)]
    except KeyFileError as error:
        raise VerifySetupError(str(error)) from None
    wanted = 1 if args.min_witnesses is None else args.min_witnesses
    if not 1 <= wanted <= len(keys):
        raise VerifySetupError(f"--min-witnesses {wanted}: between 1 and the {len(keys)} witness key(s) given")
    return keys, wanted


def witnessed_checkpoint(goals: Goals, path: str | None, given: Checkpoint | None, keys: list[Ed25519PublicKey],
                         wanted: int) -> Checkpoint | None:
    """The checkpoint `wanted` witnesses cosigned (--checkpoint's, or the largest stored); None after saying why."""
    log_keys = list(goals.audit_keys.keyring.keys.values())
    if path is not None and given is not None:
        found = len(cosignatures(Path(path).read_text(encoding="utf-8"), keys))
        if found >= wanted:
            print(f"witnessed: {found} of the given witnesses cosigned the checkpoint of size {given.size}")
            return given
        print(f"NOT WITNESSED: the checkpoint of size {given.size} carries {found} cosignature(s) from the given "
              f"witness keys, fewer than {wanted}")
        return None
    cosigned = largest_cosigned(goals.engine, log_keys, keys, wanted)
    if cosigned is None:
        print(f"NOT WITNESSED: no checkpoint of this log carries {wanted} cosignature(s) from the given witness keys")
        return None
    print(f"witnessed: the checkpoint of size {cosigned[0].size} carries at least {wanted} cosignature(s)")
    return cosigned[0]


def read_checkpoint(path: str | None, pems: tuple[bytes, ...]) -> Checkpoint | None:
    if path is None:
        return None
    try:
        note = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise VerifySetupError(f"--checkpoint: cannot read {path}: {error}") from None
    try:
        return verify_checkpoint(note, [key for pem in pems for key in load_public_keys(pem)])
    except CheckpointError as error:
        raise VerifySetupError(f"--checkpoint {path}: {error}") from None


def report(result: TrailVerification, checkpoint: Checkpoint | None, mismatches: list[str]) -> int:
    problem = result.problem
    if problem is not None:
        where = f": goal {problem.goal_id}, version {problem.version}" if problem.goal_id else ""
        print(f"TAMPERED ({problem.kind}) at position {problem.position}{where}")
        print(problem.detail)
        print(f"{result.events} events verified before it")
        return 1
    if mismatches:
        for line in mismatches:
            print(line)
        return 1
    print(f"intact: {result.events} events up to position {result.position}")
    print(f"tree size: {result.tree_size}")
    print(f"root hash: {result.root_hash}")
    print(f"digest: {result.digest}")
    if checkpoint is not None:
        print(f"checkpoint of size {checkpoint.size} ({checkpoint.origin}): contained in the log")
    return 0

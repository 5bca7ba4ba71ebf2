#!/usr/bin/env python3
"""Verify a goalengine auditor's bundle with nothing but Python 3.9+ and the `cryptography` package.

    python3 verify_bundle.py BUNDLE.json --public-key audit-signing.pub [--public-key retired.pub ...]
                             [--witness-key witness.pub ... --min-witnesses N]

It checks, independently of goalengine's code, that
  1. the checkpoint is a C2SP signed note whose Ed25519 signature verifies with one of the public keys;
  2. every event's leaf input hashes (RFC 9162: SHA-256(0x00 || input)) to its leaf hash, and its inclusion proof
     leads to the checkpoint's root hash (RFC 9162 section 2.1.3.2);
  3. the goal's events are versions 1, 2, ... with no gap, and each carries an Ed25519 signature over its stored
     bytes chained to the previous event's signature (goalengine ADR 0013 and 0014);
  4. every field agrees with what was signed: the bundle's origin and tree size are the checkpoint's, each event's
     id, version and topic are those in its leaf input, its leaf hash is the hash of that input, leaf indices rise;
  5. the head (the goal's last version in the checkpoint's tree, signed with the audit key together with the tree
     size and root) is the last event's version: a bundle with events dropped from its end, or reordered, fails;
  6. with --witness-key: at least --min-witnesses (default 1) of the witnesses cosigned the checkpoint (C2SP
     tlog-cosignature: Ed25519 over "cosignature/v1", "time <t>" and the checkpoint's body).
Exit status 0 when all hold, 1 when one does not (the message says which), 2 for unusable input.
"""

import argparse
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SIG_OPEN = b',"_sig":"'
FIELD_LENGTH = 97  # 8 hex digits of key id, ":", base64 of a 64-byte signature
SUFFIX_LENGTH = len(SIG_OPEN) + FIELD_LENGTH + 2
FORMAT = "goalengine-audit-bundle/v2"
BUNDLE_FIELDS = {"format", "goal_id", "origin", "tree_size", "checkpoint", "head", "events"}
EVENT_FIELDS = {"event", "version", "topic", "leaf_index", "leaf_input", "leaf_hash", "inclusion"}
HEAD_FIELDS = {"version", "key_id", "signature"}


class VerificationError(Exception):
    pass


def raw(key):
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_keys(paths):
    keys = []
    for path in paths:
        with open(path, "rb") as file:
            data = file.read()
        marker = b"-----END PUBLIC KEY-----"
        for block in data.split(marker):
            if block.strip():
                key = serialization.load_pem_public_key(block.strip() + b"\n" + marker)
                if not isinstance(key, Ed25519PublicKey):
                    raise ValueError(f"{path} is not an Ed25519 public key")
                keys.append(key)
    return keys


def checked_checkpoint(note, keys):
    """(origin, size, root) of a signed note one of the keys signed (C2SP signed-note, Ed25519)."""
    body, separator, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) < 3:
        raise VerificationError("the checkpoint is not a signed note")
    text = (body + "\n").encode()
    for line in signatures.split("\n"):
        if not line.startswith("\u2014 "):
            continue
        name, encoded = line[2:].split(" ", 1)
        blob = base64.b64decode(encoded)
        for key in keys:
            key_hash = hashlib.sha256(name.encode() + b"\n\x01" + raw(key)).digest()[:4]
            if blob[:4] != key_hash:
                continue
            try:
                key.verify(blob[4:], text)
            except InvalidSignature:
                continue
            return lines[0], int(lines[1]), base64.b64decode(lines[2])
    raise VerificationError("no signature on the checkpoint verifies with the given public key(s)")


def cosigned_by(note, keys):
    """How many of the witness keys made a valid cosignature/v1 line on the note."""
    body, _, signatures = note.partition("\n\n")
    message = (body + "\n").encode()
    found = set()
    for line in signatures.split("\n"):
        if not line.startswith("\u2014 ") or line.count(" ") != 2:
            continue
        name, encoded = line[2:].split(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except ValueError:
            continue
        if len(blob) != 76:
            continue
        timestamp = int.from_bytes(blob[4:12], "big")
        for key in keys:
            key_id = hashlib.sha256(name.encode() + b"\n\x04" + raw(key)).digest()[:4]
            if key_id != blob[:4]:
                continue
            try:
                key.verify(blob[12:], f"cosignature/v1\ntime {timestamp}\n".encode() + message)
            except InvalidSignature:
                continue
            found.add(key_id)
    return len(found)


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index, size, leaf, proof):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        raise VerificationError(f"leaf {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the inclusion proof is too short")
    return r


def split_leaf(leaf_input):
    goal_id, version, topic, state = leaf_input.split(b"\n", 3)
    return goal_id.decode(), int(version), topic.decode(), state


def check_signature(keys_by_id, goal_id, version, topic, state, previous):
    """The event's signature field, once its Ed25519 signature holds after the previous event's."""
    if len(state) <= SUFFIX_LENGTH or state[-SUFFIX_LENGTH:-SUFFIX_LENGTH + len(SIG_OPEN)] != SIG_OPEN:
        raise VerificationError(f"version {version} carries no signature")
    field = state[-FIELD_LENGTH - 2:-2].decode()
    key_id, encoded = field.split(":")
    unsigned = state[:-SUFFIX_LENGTH] + b"}"
    message = (b"goalengine/event/v1\n" + f"{goal_id}\n{version}\n{topic}\n".encode() + previous.encode() + b"\n"
               + unsigned)
    key = keys_by_id.get(key_id)
    if key is None:
        raise VerificationError(f"version {version} is signed by key {key_id}, "
                                "which is not one of the given public keys")
    try:
        key.verify(base64.b64decode(encoded), message)
    except InvalidSignature:
        raise VerificationError(f"version {version}: the signature does not hold "
                                "for its content and chain position") from None
    return field


def fields_of(what, value, expected):
    if not isinstance(value, dict) or set(value) != expected:
        found = sorted(value) if isinstance(value, dict) else type(value).__name__
        raise VerificationError(f"{what} must have exactly the fields {sorted(expected)}, not {found}")
    return value


def b64(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (TypeError, ValueError):
        raise VerificationError(f"{what} is not base64") from None


def check_head(bundle, keys_by_id, size, root, versions):
    """The goal's last version, signed with the tree it was taken from, is the last event's version."""
    head = fields_of("the head", bundle["head"], HEAD_FIELDS)
    text = (f"goalengine/bundle-head/v1\n{bundle['origin']}\n{bundle['goal_id']}\n{head['version']}\n{size}\n"
            f"{base64.b64encode(root).decode()}\n").encode()
    key = keys_by_id.get(head["key_id"])
    try:
        if key is None:
            raise InvalidSignature
        key.verify(b64(head["signature"], "the head's signature"), text)
    except InvalidSignature:
        raise VerificationError("the head's signature does not hold with the given public key(s)") from None
    if head["version"] != versions:
        raise VerificationError(f"the goal's last version in this tree is {head['version']}, but the bundle holds "
                                f"{versions} events: events were dropped or added")


def check_event(bundle, event, expected_version, size, root, last_index):
    """The event's fields against its leaf input, and its inclusion proof against the root; returns its parts."""
    event = fields_of(f"event {expected_version}", event, EVENT_FIELDS)
    leaf_input = b64(event["leaf_input"], f"event {expected_version}'s leaf input")
    goal_id, version, topic, state = split_leaf(leaf_input)
    if goal_id != bundle["goal_id"] or version != expected_version:
        raise VerificationError(f"expected version {expected_version} of goal {bundle['goal_id']}, "
                                f"found {goal_id}:{version}")
    if (event["event"], event["version"], event["topic"]) != (f"{goal_id}:{version}", version, topic):
        raise VerificationError(f"version {version}: its event, version or topic field differs from its leaf input")
    leaf = hashlib.sha256(b"\x00" + leaf_input).digest()
    index = event["leaf_index"]
    if type(index) is not int or not last_index < index < size:
        raise VerificationError(f"version {version}: leaf index {index!r} is not after {last_index} in the tree")
    proof = [b64(h, f"version {version}'s inclusion proof") for h in event["inclusion"]]
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise VerificationError(f"version {version}: the inclusion proof does not lead to the checkpoint's root")
    if b64(event["leaf_hash"], f"version {version}'s leaf hash") != leaf:
        raise VerificationError(f"version {version}: the leaf hash is not the hash of its leaf input")
    return goal_id, version, topic, state, index


def verify(bundle, keys):
    bundle = fields_of("the bundle", bundle, BUNDLE_FIELDS)
    if bundle["format"] != FORMAT:
        raise VerificationError(f"the bundle's format is {bundle['format']!r}, not {FORMAT}")
    origin, size, root = checked_checkpoint(bundle["checkpoint"], keys)
    if (bundle["origin"], bundle["tree_size"]) != (origin, size):
        raise VerificationError(f"the bundle names origin {bundle['origin']!r} and tree size {bundle['tree_size']!r}, "
                                f"its checkpoint {origin!r} and {size}")
    keys_by_id = {hashlib.sha256(raw(k)).digest()[:4].hex(): k for k in keys}
    if not isinstance(bundle["events"], list):
        raise VerificationError("the bundle's events are not a list")
    previous, last_index = "", -1
    for number, event in enumerate(bundle["events"], start=1):
        goal_id, version, topic, state, last_index = check_event(bundle, event, number, size, root, last_index)
        previous = check_signature(keys_by_id, goal_id, version, topic, state, previous)
    check_head(bundle, keys_by_id, size, root, len(bundle["events"]))
    return origin, size, len(bundle["events"])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify a goalengine auditor's bundle.")
    parser.add_argument("bundle")
    parser.add_argument("--public-key", action="append", required=True, metavar="FILE")
    parser.add_argument("--witness-key", action="append", default=[], metavar="FILE")
    parser.add_argument("--min-witnesses", type=int, default=None, metavar="N")
    args = parser.parse_args(argv)
    try:
        with open(args.bundle, encoding="utf-8") as file:
            bundle = json.load(file)
        keys = load_keys(args.public_key)
        witnesses = load_keys(args.witness_key)
    except (OSError, ValueError) as error:
        print(f"error: {error}")
        return 2
    wanted = args.min_witnesses if args.min_witnesses is not None else (1 if witnesses else 0)
    if wanted > len(witnesses) or wanted < 0:
        print(f"error: --min-witnesses {wanted} needs at least that many --witness-key files")
        return 2
    try:
        origin, size, events = verify(bundle, keys)
        if wanted and cosigned_by(bundle["checkpoint"], witnesses) < wanted:
            raise VerificationError(f"the checkpoint carries fewer than {wanted} cosignature(s) from the witness keys")
    except (VerificationError, KeyError, ValueError, TypeError, AttributeError) as error:
        print(f"NOT VERIFIED: {error}")
        return 1
    print(f"verified: {events} events of goal {bundle['goal_id']} are in {origin} at tree size {size}, "
          "signed and chained")
    return 0


if __name__ == "__main__":
    sys.exit(main())

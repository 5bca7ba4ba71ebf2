"""Check a fairness export and recompute its report (ADR 0041), with the standard library and `cryptography` only:
this module is embedded, with the report's own modules, in docs/audit/recompute_fairness.py.

It checks that the checkpoint is signed by one of the given public keys; that every event's leaf hashes into that
checkpoint's root by its inclusion proof (RFC 9162); that the events come in log order; that each aggregate's
versions run 1, 2, ... without a gap, each signed and chained to the one before (ADR 0013, 0014). Then it folds the
events into the report, exactly as goalengine does, and checks the report's signature over the recomputed hash.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.fairness.body import report_body
from application.fairness.header import with_header
from application.fairness.records import Record, record

SIG_OPEN = b',"_sig":"'
FIELD_LENGTH = 97  # 8 hex digits of key id, ":", base64 of a 64-byte signature
SUFFIX_LENGTH = len(SIG_OPEN) + FIELD_LENGTH + 2


class ExportError(Exception):
    """The export does not prove what it claims; the message says where."""


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_keys(pem: bytes) -> list[Ed25519PublicKey]:
    marker = b"-----END PUBLIC KEY-----"
    keys = []
    for block in pem.split(marker):
        if block.strip():
            key = serialization.load_pem_public_key(block.strip() + b"\n" + marker)
            if not isinstance(key, Ed25519PublicKey):
                raise ExportError("the public key is not an Ed25519 key")
            keys.append(key)
    return keys


def checked_checkpoint(note: str, keys: list[Ed25519PublicKey]) -> tuple[int, bytes]:
    """(size, root) of a C2SP signed note that one of the keys signed."""
    body, separator, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not separator or len(lines) < 3:
        raise ExportError("the checkpoint is not a signed note")
    for line in signatures.split("\n"):
        if not line.startswith("\u2014 "):
            continue
        name, encoded = line[2:].split(" ", 1)
        blob = base64.b64decode(encoded)
        for key in keys:
            if blob[:4] != hashlib.sha256(name.encode() + b"\n\x01" + raw(key)).digest()[:4]:
                continue
            try:
                key.verify(blob[4:], (body + "\n").encode())
            except InvalidSignature:
                continue
            return int(lines[1]), base64.b64decode(lines[2])
    raise ExportError("no signature on the checkpoint verifies with the given public key(s)")


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes]) -> bytes:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        raise ExportError(f"leaf {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ExportError("an inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ExportError("an inclusion proof is too short")
    return r


def chained(keys: dict[str, Ed25519PublicKey], leaf_input: bytes, previous: str) -> str:
    """The event's signature field, once its signature holds over its bytes after the previous event's field."""
    aggregate, version, topic, state = leaf_input.split(b"\n", 3)
    if len(state) <= SUFFIX_LENGTH or state[-SUFFIX_LENGTH:-SUFFIX_LENGTH + len(SIG_OPEN)] != SIG_OPEN:
        raise ExportError(f"{aggregate.decode()}:{version.decode()} carries no signature")
    field = state[-FIELD_LENGTH - 2:-2].decode()
    key_id, encoded = field.split(":")
    message = (b"goalengine/event/v1\n" + aggregate + b"\n" + version + b"\n" + topic + b"\n" + previous.encode()
               + b"\n" + state[:-SUFFIX_LENGTH] + b"}")
    key = keys.get(key_id)
    try:
        if key is None:
            raise InvalidSignature
        key.verify(base64.b64decode(encoded), message)
    except InvalidSignature:
        raise ExportError(f"{aggregate.decode()}:{version.decode()}: its signature does not hold") from None
    return field


def verified_records(export: dict[str, Any], keys: list[Ed25519PublicKey]) -> list[Record]:
    size, root = checked_checkpoint(export["checkpoint"], keys)
    by_id = {hashlib.sha256(raw(k)).digest()[:4].hex(): k for k in keys}
    last: dict[str, tuple[int, str]] = {}
    records, previous_index = [], -1
    for event in export["events"]:
        leaf_input = base64.b64decode(event["leaf_input"])
        leaf = hashlib.sha256(b"\x00" + leaf_input).digest()
        if root_from_inclusion(event["leaf_index"], size, leaf, [base64.b64decode(h) for h in event["inclusion"]]) \
                != root:
            raise ExportError(f"{event['event']}: its inclusion proof does not lead to the checkpoint's root")
        if event["leaf_index"] <= previous_index:
            raise ExportError(f"{event['event']}: the events are not in log order")
        previous_index = event["leaf_index"]
        aggregate, version, topic, state = leaf_input.split(b"\n", 3)
        number, (seen, field) = int(version), last.get(aggregate.decode(), (0, ""))
        if number != seen + 1:
            raise ExportError(f"{aggregate.decode()}: version {number} follows version {seen}")
        last[aggregate.decode()] = (number, chained(by_id, leaf_input, field))
        records.append(record(event["leaf_index"] + 1, topic.decode(), aggregate.decode(), number, state))
    return records


def recomputed(export: dict[str, Any], keys: list[Ed25519PublicKey], group_by: str, strata: str | None
               ) -> dict[str, Any]:
    """The report recomputed from the export; signed with the export's signature when that holds over its hash."""
    body = report_body(verified_records(export, keys), export["cycle"], group_by, strata)
    report = with_header(body, export["position"], export["checkpoint"])
    served = export.get("reports", {}).get(group_by) if strata is None else None
    if served is None:
        return report
    signature = base64.b64decode(served["signature"])
    for key in keys:
        try:
            key.verify(signature, report["hash"].encode())
        except InvalidSignature:
            continue
        return {**report, "signature": served["signature"], "signature_key_id": served["signature_key_id"]}
    raise ExportError("the report's signature does not hold over the recomputed hash: the report differs")

"""An auditor's bundle: every event of one goal with its leaf input, inclusion proof and the signed checkpoint.

One JSON file that docs/audit/verify_bundle.py checks with nothing but Python, `cryptography` and a public key.
The bundle commits to the goal's head: `head` names the goal's last version in the checkpoint's tree, signed with
the audit key together with the tree size and root, so a bundle with its last events dropped no longer verifies.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from application.audit.chain import SigningKeyMissingError
from application.audit.log import TreeSizeError, audit_log
from application.audit.note import parse_checkpoint
from application.audit.tamper import TamperFinding
from application.audit.tree import TamperDetectedError
from application.audit.witnesses import largest_cosigned, witness_keys
from application.errors import GoalNotFoundError
from application.goals.service import Goals

BUNDLE_FORMAT = "goalengine-audit-bundle/v2"
HEAD_DOMAIN = "goalengine/bundle-head/v1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def head_message(origin: str, goal_id: str, version: int, tree_size: int, root: str) -> bytes:
    """What the head's signature covers: the goal's last version in the tree of that size and root."""
    return f"{HEAD_DOMAIN}\n{origin}\n{goal_id}\n{version}\n{tree_size}\n{root}\n".encode()


def export_bundle(goals: Goals, goal_id: UUID) -> dict[str, Any]:
    """The bundle of a goal, proven against one checkpoint of the whole log, with its signed head."""
    signer = goals.audit_keys.signer
    if signer is None:
        raise SigningKeyMissingError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    log = audit_log(goals)
    note = log.checkpoint()
    keys = witness_keys(goals)
    cosigned = largest_cosigned(goals.engine, list(goals.audit_keys.keyring.keys.values()), keys, 1) if keys else None
    if cosigned is not None:
        note = cosigned[1]  # the largest checkpoint a witness cosigned, with its cosignatures (ADR 0040)
    checkpoint, _ = parse_checkpoint(note)
    rows = goals.recorder.select_events(goal_id)
    if not rows:
        raise GoalNotFoundError(goal_id)
    events = []
    for row in rows:
        try:
            proof = log.proof(goal_id, row.originator_version, checkpoint.size)
        except TreeSizeError:
            break  # stored after the checkpoint was signed: the next bundle holds it
        events.append({"event": f"{goal_id}:{row.originator_version}", "version": row.originator_version,
                       "topic": row.topic, "leaf_index": proof.leaf_index,
                       "leaf_input": _b64(proof.leaf_input), "leaf_hash": _b64(proof.leaf_hash),
                       "inclusion": [_b64(h) for h in proof.inclusion]})
    origin, root = goals.audit_keys.origin, _b64(checkpoint.root)
    version = int(str(events[-1]["version"])) if events else 0
    indexed = log.tree.last_version(goal_id, checkpoint.size)
    if indexed > version:
        raise TamperDetectedError(TamperFinding(
            "removed", str(goal_id), version + 1, 0,
            f"the tree holds version {indexed} of the goal, the log only up to {version}: events were removed"))
    signed = head_message(origin, str(goal_id), version, checkpoint.size, root)
    head = {"version": version, "key_id": signer.key_id, "signature": _b64(signer.sign(signed))}
    return {"format": BUNDLE_FORMAT, "goal_id": str(goal_id), "origin": origin, "tree_size": checkpoint.size,
            "checkpoint": note, "head": head, "events": events}


def bundle_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, sort_keys=True) + "\n"

"""An auditor's bundle: every event of one goal with its leaf input, inclusion proof and the signed checkpoint.

One JSON file that docs/audit/verify_bundle.py checks with nothing but Python, `cryptography` and a public key.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from application.audit.log import audit_log
from application.errors import GoalNotFoundError
from application.goals.service import Goals

BUNDLE_FORMAT = "goalengine-audit-bundle/v1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def export_bundle(goals: Goals, goal_id: UUID) -> dict[str, Any]:
    """The bundle of a goal, proven against one checkpoint of the whole log."""
    log = audit_log(goals)
    note = log.checkpoint()
    size = int(note.split("\n")[1])
    rows = goals.recorder.select_events(goal_id)
    if not rows:
        raise GoalNotFoundError(goal_id)
    events = []
    for row in rows:
        proof = log.proof(goal_id, row.originator_version, size)
        events.append({"event": f"{goal_id}:{row.originator_version}", "version": row.originator_version,
                       "topic": row.topic, "leaf_index": proof.leaf_index,
                       "leaf_input": _b64(proof.leaf_input), "leaf_hash": _b64(proof.leaf_hash),
                       "inclusion": [_b64(h) for h in proof.inclusion]})
    return {"format": BUNDLE_FORMAT, "goal_id": str(goal_id), "origin": goals.audit_keys.origin, "tree_size": size,
            "checkpoint": note, "events": events}


def bundle_json(bundle: dict[str, Any]) -> str:
    return json.dumps(bundle, indent=2, sort_keys=True) + "\n"

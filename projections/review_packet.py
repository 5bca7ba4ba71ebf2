"""The review packet (ADR 0027): the review, its justification, every event it cites and their audit proofs.

What an auditor takes away: each cited event as the trail holds it (opened; erased text reads `[erased]`) with its
leaf input and inclusion proof against one signed checkpoint, so that docs/audit/verify_bundle.py's checks (the
leaf hash, the path to the root, the checkpoint's signature) hold away from the system. Proofs come when the store
can sign a checkpoint (a signing key is configured); without one the packet says so and carries none.
"""

from __future__ import annotations

import base64
from datetime import datetime, UTC
from typing import Any
from uuid import UUID

from application.audit.chain import SigningKeyMissingError
from application.audit.log import audit_log
from application.audit.tree import TamperDetectedError
from application.goals.service import Goals
from application.events.serialization import EventRecord
from domain.values import Actor
from projections.reviews import Reviews

PACKET_FORMAT = "goalengine-review-packet/v1"


def review_packet(goals: Goals, reviews: Reviews, viewer: Actor, employee_id: str, cycle_id: str) -> dict[str, Any]:
    review = reviews.review(viewer, employee_id, cycle_id)
    justification = reviews.justification(viewer, employee_id, cycle_id)
    cited = sorted({(e["goal_id"], e["version"]) for s in justification["statements"] for e in s["evidence"]})
    checkpoint, size = _checkpoint(goals)
    events = [_cited(goals, UUID(goal_id), version, size) for goal_id, version in cited]
    deciders = [review["decision"]["decided_by"]] if review.get("decision") else []
    resolvers = [d["resolved_by"] for d in review["disputes"] if d.get("resolved_by")]
    people = [employee_id, *deciders, *resolvers, *(str(event["actor"]["id"]) for event in events)]
    names = {person: name for person in dict.fromkeys(people)
             if (name := goals.parties.display_name_of(person)) is not None}
    return {
        "format": PACKET_FORMAT,
        "employee_id": employee_id,
        "names": names,  # each person's name in the directory, by id (ADR 0033); empty in open mode
        "cycle": cycle_id,
        "generated_at": datetime.now(UTC).isoformat(),
        "origin": goals.audit_keys.origin,
        "checkpoint": checkpoint,
        "tree_size": size,
        "review": review,
        "justification": justification,
        "events": events,
    }


def _checkpoint(goals: Goals) -> tuple[str | None, int | None]:
    try:
        note = audit_log(goals).checkpoint()
    except (SigningKeyMissingError, TamperDetectedError):
        return None, None
    return note, int(note.split("\n")[1])


def _cited(goals: Goals, goal_id: UUID, version: int, size: int | None) -> dict[str, Any]:
    [event] = goals.events.get(goal_id, gt=version - 1, lte=version)
    record = EventRecord.of(event)  # type: ignore[arg-type]  # a goal event: it has an actor
    entry: dict[str, Any] = {"event": f"{goal_id}:{version}", "type": record.type, "timestamp": record.timestamp,
                             "actor": {"id": record.actor_id, "role": record.actor_role}, "data": record.data,
                             "proof": None}
    if size is not None:
        proof = audit_log(goals).proof(goal_id, version, size)
        entry["proof"] = {"leaf_index": proof.leaf_index, "tree_size": proof.tree_size,
                          "leaf_input": _b64(proof.leaf_input), "leaf_hash": _b64(proof.leaf_hash),
                          "inclusion": [_b64(h) for h in proof.inclusion]}
    return entry


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()

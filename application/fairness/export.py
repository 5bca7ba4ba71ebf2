"""`goalengine audit export --cycle C`: the cycle's events with their inclusion proofs in one signed tree, and the
reports as served, so that docs/audit/recompute_fairness.py can recompute them byte for byte (ADR 0041)."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

from application.audit.log import audit_log
from application.audit.verification import checked_position
from application.fairness.body import PRIMARY
from application.fairness.records import Record, record
from application.fairness.report import CycleNotFoundError, fairness_report, stored_records
from application.goals.service import Goals

EXPORT_FORMAT = "goalengine-fairness-export/v1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def cycle_aggregates(goals: Goals, cycle: str, until: int) -> set[str]:
    """The cycle's own aggregates: the cycle, the goals drafted in it, the reviews opened for it."""
    return {r.originator_id for r in stored_records(goals, until) if (
        (r.kind == "Cycle.Opened" and r.data.get("cycle") == cycle)
        or (r.kind == "Goal.Drafted" and r.data["cycle"]["id"] == cycle)
        or (r.kind == "Review.Opened" and r.data.get("cycle_id") == cycle))}


def cycle_records(goals: Goals, cycle: str, until: int) -> list[Record]:
    """Every event of those aggregates up to `until`, whatever its topic: so that each one's versions run 1, 2, ...
    without a gap and its signature chain can be checked, and nothing of theirs can be left out unseen."""
    mine, found, position = cycle_aggregates(goals, cycle, until), [], 0
    while True:
        page = goals.recorder.select_notifications(position, 500, stop=until, inclusive_of_start=False)
        found += [record(n.id, n.topic, str(n.originator_id), n.originator_version, n.state) for n in page
                  if str(n.originator_id) in mine]
        if len(page) < 500:
            return found
        position = page[-1].id


def export_cycle(goals: Goals, cycle: str, position: int | None = None) -> dict[str, Any]:
    until = checked_position(goals, position)
    records = cycle_records(goals, cycle, until)
    if not any(r.kind == "Cycle.Opened" for r in records):
        raise CycleNotFoundError(f"no cycle {cycle!r} in the log up to position {until}", cycle=cycle)
    log = audit_log(goals)
    note = log.checkpoint(until)
    events = []
    for r in records:
        proof = log.proof(UUID(r.originator_id), r.version, until)
        events.append({"event": r.event_id, "position": r.position, "leaf_index": proof.leaf_index,
                       "leaf_input": _b64(proof.leaf_input), "inclusion": [_b64(h) for h in proof.inclusion]})
    reports = {group_by: fairness_report(goals, cycle, group_by, None, until).body for group_by in sorted(PRIMARY)}
    return {"format": EXPORT_FORMAT, "cycle": cycle, "position": until, "origin": goals.audit_keys.origin,
            "checkpoint": note, "events": events, "reports": reports}

"""The review decision as the review view shows it: the band decided and what it rests on, the employee's
self-assessments and acknowledgement, and any dispute with HR's resolution (domain/review.py)."""

from __future__ import annotations

from typing import Any

from domain.review import Review


def decision_view(review: Review | None) -> dict[str, Any]:
    """The decision part of GET /reviews/{employee_id}; before any step, an open review with nothing in it."""
    if review is None:
        return {"stage": "open", "final_band": None, "decision": None, "self_assessments": [],
                "acknowledgement": None, "disputes": []}
    decision = review.decision
    acknowledgement = review.acknowledgement
    return {
        "stage": str(review.stage),
        "final_band": review.final_band,
        "decision": None if decision is None else {
            "band": decision.band, "computed_band": decision.computed_band, "summary": decision.summary,
            "override_reason": decision.override_reason, "override_direction": decision.override_direction,
            "policy_version": decision.policy_version, "justification_hash": decision.justification_hash,
            "justification_position": decision.justification_position, "decided_by": decision.decided_by,
            "decided_at": decision.decided_at.isoformat(), "version": decision.version,
        },
        "self_assessments": [{"text": a.text, "at": a.at.isoformat(), "version": a.version}
                             for a in review.assessments],
        "acknowledgement": None if acknowledgement is None else {
            "by": acknowledgement.by, "at": acknowledgement.at.isoformat(), "version": acknowledgement.version,
            "decision_version": acknowledgement.decision_version},
        "disputes": [{
            "id": d.id, "reason": d.reason, "raised_at": d.raised_at.isoformat(), "version": d.version,
            "decision_version": d.decision_version, "outcome": str(d.outcome) if d.outcome else None,
            "band": d.band, "note": d.note, "resolved_by": d.resolved_by, "resolved_version": d.resolved_version,
        } for d in review.disputes],
    }

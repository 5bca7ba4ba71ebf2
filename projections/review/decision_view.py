"""The review decision as the review view shows it: the band decided and what it rests on, the employee's
self-assessments and acknowledgement, and any dispute with HR's resolution (domain/review.py)."""

from __future__ import annotations

from typing import Any

from domain.review import Review
from domain.review_values import Acknowledgement, Decision, Dispute


def decision_view(review: Review | None) -> dict[str, Any]:
    """The decision part of GET /reviews/{employee_id}; before any step, an open review with nothing in it."""
    if review is None:
        return {"stage": "open", "final_band": None, "decision": None, "self_assessments": [],
                "acknowledgement": None, "disputes": []}
    return {
        "stage": str(review.stage),
        "final_band": review.final_band,
        "decision": _decision(review.decision) if review.decision else None,
        "self_assessments": [{"text": a.text, "at": a.at.isoformat(), "version": a.version}
                             for a in review.assessments],
        "acknowledgement": _acknowledgement(review.acknowledgement) if review.acknowledgement else None,
        "disputes": [_dispute(d) for d in review.disputes],
    }


def _decision(decision: Decision) -> dict[str, Any]:
    return {
        "band": decision.band, "computed_band": decision.computed_band, "summary": decision.summary,
        "override_reason": decision.override_reason, "override_direction": decision.override_direction,
        "policy_version": decision.policy_version, "justification_hash": decision.justification_hash,
        "justification_position": decision.justification_position, "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.isoformat(), "version": decision.version,
    }


def _acknowledgement(acknowledgement: Acknowledgement) -> dict[str, Any]:
    return {"by": acknowledgement.by, "at": acknowledgement.at.isoformat(), "version": acknowledgement.version,
            "decision_version": acknowledgement.decision_version}


def _dispute(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.id, "reason": dispute.reason, "raised_at": dispute.raised_at.isoformat(),
        "version": dispute.version, "decision_version": dispute.decision_version,
        "outcome": str(dispute.outcome) if dispute.outcome else None, "band": dispute.band, "note": dispute.note,
        "resolved_by": dispute.resolved_by, "resolved_version": dispute.resolved_version,
    }

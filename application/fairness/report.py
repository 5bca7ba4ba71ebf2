"""The fairness report at a log position, with its header (ADR 0042): the version asked for, the checkpoint of the
tree the report was computed from, the report's hash and an Ed25519 signature with the audit key.

Version 2 reads plain records (no data key); version 1 is the report of ADR 0007, computed as it always was, so
that a report published before stays the same bytes at its position.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from application.audit.chain import SigningKeyMissingError
from application.audit.fairness import recalibration_fairness
from application.audit.log import audit_log
from application.audit.note import parse_checkpoint
from application.audit.verification import checked_position
from application.errors import ApplicationError
from application.fairness.body import REPORT_VERSION, report_body
from application.fairness.records import stored_records
from application.goals.service import Goals

VERSIONS = (1, REPORT_VERSION)
GROUPINGS = ("manager", "org_unit", "decider")
STRATA = ("org_unit", "reason")


class CycleNotFoundError(ApplicationError):
    code = "cycle_not_found"


class FairnessRequestError(ApplicationError):
    code = "invalid_request"


@dataclass(frozen=True)
class SignedReport:
    body: dict[str, Any]

    def canonical(self) -> bytes:
        return canonical_json(self.body)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fairness_report(goals: Goals, cycle: str, group_by: str = "manager", strata: str | None = None,
                    position: int | None = None, report_version: int = REPORT_VERSION) -> SignedReport:
    """The report asked for; CycleNotFoundError when the log up to the position knows no such cycle."""
    check_request(group_by, strata, report_version)
    until = checked_position(goals, position)
    if report_version == 1:
        if strata is not None or group_by == "decider":
            raise FairnessRequestError("report version 1 groups by manager or org_unit and has no strata",
                                       report_version=1)
        legacy = recalibration_fairness(goals, cycle, group_by, position=until)
        if not legacy.body["groups"] and not known_cycle(goals, cycle, until):
            raise CycleNotFoundError(f"no cycle {cycle!r} in the log up to position {until}", cycle=cycle)
        return SignedReport(legacy.body)
    body = report_body(stored_records(goals, until), cycle, group_by, strata)
    if body["cycle_state"] is None:
        raise CycleNotFoundError(f"no cycle {cycle!r} in the log up to position {until}", cycle=cycle)
    return SignedReport(signed(goals, {**body, "position": until, **tree_header(goals, until)}))


def check_request(group_by: str, strata: str | None, report_version: int) -> None:
    if group_by.startswith("attribute:"):
        raise FairnessRequestError("grouping by a protected characteristic is not available in this build: there "
                                   "is no attribute table yet", field="group_by")
    if group_by not in GROUPINGS:
        raise FairnessRequestError(f"group_by must be one of {', '.join(GROUPINGS)}, not {group_by!r}",
                                   field="group_by")
    if strata is not None and strata not in STRATA:
        raise FairnessRequestError(f"strata must be one of {', '.join(STRATA)}, not {strata!r}", field="strata")
    if report_version not in VERSIONS:
        raise FairnessRequestError(f"report_version must be one of {', '.join(map(str, VERSIONS))}",
                                   field="report_version")


def known_cycle(goals: Goals, cycle: str, until: int) -> bool:
    return any(r.data.get("cycle") == cycle for r in stored_records(goals, until) if r.kind == "Cycle.Opened")


def tree_header(goals: Goals, until: int) -> dict[str, Any]:
    """The signed checkpoint of the tree of the first `until` events: the report is computed from exactly those."""
    note = audit_log(goals).checkpoint(until)
    checkpoint, _signatures = parse_checkpoint(note)
    return {"tree_size": checkpoint.size, "root_hash": base64.b64encode(checkpoint.root).decode(),
            "checkpoint": note}


def signed(goals: Goals, body: dict[str, Any]) -> dict[str, Any]:
    """`hash`: SHA-256 of the canonical body without hash and signature; `signature`: Ed25519 over that hash."""
    signer = goals.audit_keys.signer
    if signer is None:
        raise SigningKeyMissingError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    digest = hashlib.sha256(canonical_json(body)).hexdigest()
    return {**body, "hash": digest, "signature": base64.b64encode(signer.sign(digest.encode())).decode(),
            "signature_key_id": signer.key_id}

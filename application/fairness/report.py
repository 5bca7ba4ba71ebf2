"""The fairness report at a log position, with its header (ADR 0041): the version asked for, the checkpoint of the
tree the report was computed from, the report's hash and an Ed25519 signature with the audit key.

Version 2 reads plain records (no data key); version 1 is the report of ADR 0007, computed as it always was, so
that a report published before stays the same bytes at its position.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from application.audit.chain import SigningKeyMissingError
from application.audit.fairness import recalibration_fairness
from application.audit.log import audit_log
from application.audit.verification import checked_position
from application.errors import ApplicationError
from application.fairness.body import REPORT_VERSION, report_body
from application.fairness.header import canonical_json, with_header
from application.fairness.records import TOPICS, Record, record
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
    return SignedReport(signed(goals, with_header(body, until, audit_log(goals).checkpoint(until))))


def check_request(group_by: str, strata: str | None, report_version: int) -> None:
    if group_by.startswith("attribute:"):
        raise FairnessRequestError("grouping by a protected characteristic is the equality analyst's report "
                                   "(application/equality/report.py)", field="group_by")
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


def signed(goals: Goals, body: dict[str, Any]) -> dict[str, Any]:
    """`signature`: Ed25519 over the hash's hex digits, with the audit signing key."""
    signer = goals.audit_keys.signer
    if signer is None:
        raise SigningKeyMissingError("no audit signing key: set GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    digest = str(body["hash"])
    return {**body, "signature": base64.b64encode(signer.sign(digest.encode())).decode(),
            "signature_key_id": signer.key_id}


def stored_records(goals: Goals, until: int, page_size: int = 500) -> Iterator[Record]:
    """The report's events up to `until`, in log order, straight from the recorder (no mapper, no data key)."""
    position = 0
    while True:
        page = goals.recorder.select_notifications(position, page_size, stop=until, topics=TOPICS,
                                                   inclusive_of_start=False)
        for n in page:
            yield record(n.id, n.topic, str(n.originator_id), n.originator_version, n.state)
        if len(page) < page_size:
            return
        position = page[-1].id

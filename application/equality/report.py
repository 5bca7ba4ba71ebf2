"""The fairness report by a protected characteristic, for the equality analyst (ADR 0042): the cycle's attribute
snapshot opened with the data keys, the measures in aggregate, the same header, hash and signature as ADR 0041."""

from __future__ import annotations

from collections.abc import Mapping

from application.audit.log import audit_log
from application.audit.verification import checked_position
from application.equality.analysis import attribute_body
from application.equality.attributes import NAME, NoSnapshotError, snapshot_values
from application.fairness.header import with_header
from application.fairness.report import (
    CycleNotFoundError, FairnessRequestError, SignedReport, known_cycle, signed, stored_records,
)
from application.goals.service import Goals

MIN_CELL, MIN_CELL_FLOOR = 10, 5
ATTRIBUTE = "attribute:"


def min_cell(env: Mapping[str, str]) -> int:
    """GOALENGINE_FAIRNESS_MIN_CELL in the environment given (default 10); never below 5, whatever it says."""
    text = env.get("GOALENGINE_FAIRNESS_MIN_CELL", "")
    if not text:
        return MIN_CELL
    if not text.isdigit():
        raise FairnessRequestError(f"GOALENGINE_FAIRNESS_MIN_CELL must be a whole number, not {text!r}")
    return max(MIN_CELL_FLOOR, int(text))


def attribute_report(goals: Goals, cycle: str, group_by: str, strata: str | None = None,
                     position: int | None = None, smallest_cell: int = MIN_CELL) -> SignedReport:
    name = group_by.removeprefix(ATTRIBUTE)
    if not group_by.startswith(ATTRIBUTE) or not NAME.match(name):
        raise FairnessRequestError(f"{group_by!r} is not attribute:<name>", field="group_by")
    if strata not in (None, "org_unit", "reason"):
        raise FairnessRequestError(f"strata must be org_unit or reason, not {strata!r}", field="strata")
    until = checked_position(goals, position)
    try:
        snapshot, values = snapshot_values(goals, cycle, name)
    except NoSnapshotError:
        if not known_cycle(goals, cycle, until):
            raise CycleNotFoundError(f"no cycle {cycle!r} in the log up to position {until}", cycle=cycle) from None
        raise
    body = attribute_body(stored_records(goals, until), cycle, name, values, max(MIN_CELL_FLOOR, smallest_cell),
                          strata)
    if body["cycle_state"] is None:
        raise CycleNotFoundError(f"no cycle {cycle!r} in the log up to position {until}", cycle=cycle)
    body["attribute_snapshot"] = {"digest": snapshot.digest, "rows": snapshot.rows}
    return SignedReport(signed(goals, with_header(body, until, audit_log(goals).checkpoint(until))))

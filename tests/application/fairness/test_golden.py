"""Golden vectors (ADR 0041): stored events of a constructed cycle, kept in golden/, and the report version 2 they
give. A change of any definition or rounding changes these bytes: it then needs a new report_version, and the old
version must still give these (ADR 0041: "old versions stay computable and byte-identical at a position")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from application.fairness.body import report_body
from application.fairness.header import canonical_json
from application.fairness.records import Record, record

GOLDEN = Path(__file__).parent / "golden" / "cycle_2026_h1.json"
HASHES = {
    ("manager", None): "21f2051c640963f7e6fc58c50bda4f240eb4c7594641ea38a190b802e0429e0b",
    ("org_unit", None): "e20e4e3d335d96ab5c1a4071774218f028168175dd74ab163d9c0f39e28113ee",
    ("decider", None): "abc3de6454e809028fbd5a9945811d9ba23a6a4bbed3e17f573f502f7f2e741e",
    ("manager", "reason"): "6346ac393dd57dd0f486e878222f01734e7c6a6e062a75ef9594f660ef632e4c",
}


def golden_records() -> list[Record]:
    rows = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return [record(position, topic, originator, version, state.encode())
            for position, topic, originator, version, state in rows]


@pytest.mark.parametrize(("group_by", "strata"), sorted(HASHES, key=str))
def test_the_golden_cycle_gives_the_golden_report(group_by: str, strata: str | None) -> None:
    body = report_body(golden_records(), "2026-H1", group_by, strata)
    assert hashlib.sha256(canonical_json(body)).hexdigest() == HASHES[(group_by, strata)]


def test_the_golden_figures_by_hand() -> None:
    body = report_body(golden_records(), "2026-H1", "manager", None)
    eased = {g["group"]: g for g in body["measures"]["eased"]["groups"]}
    # mgr-a eased 3 of 5 employees (the leave adjustment apart), mgr-b 1 of 5: Fisher two-sided p = 0.5238
    assert (eased["mgr-a"]["count"], eased["mgr-b"]["count"]) == (3, 1)
    assert eased["mgr-a"]["p_value"] == pytest.approx(0.523810, abs=1e-6)
    assert eased["mgr-a"]["rate_ratio"] == 3.0
    figures = {f["group"]: f for f in body["figures"]}
    assert figures["mgr-a"]["leave_or_adjustment_approvals"] == 1
    assert figures["mgr-a"]["eased_while_behind_pace"] == 3
    assert figures["mgr-a"]["median_days_before_deadline"] == 120.0
    assert len(body["achieved_only_by_recalibration"]) == 1
    assert body["deciders"] == [{"decider": "hr-7", "approved": 6, "rejected": 1}]
    assert body["dispute_resolvers"] == [{"resolver": "hr-7", "outcomes": {"upheld": 1}}]
    bands = {g["group"]: g for g in body["measures"]["band_index"]["groups"]}
    assert (bands["mgr-a"]["mean"], bands["mgr-b"]["mean"]) == (4.0, 1.0)  # outstanding, needs_improvement
    assert body["summary"] == "0 of 2 managers flagged; 2 too small to judge"

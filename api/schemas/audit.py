"""Response shapes of the audit routes: trail verification and the recalibration fairness report."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class VerificationResponse(BaseModel):
    """The trail up to `position` is intact: how many events, and the digest an auditor may record."""

    intact: bool
    events: int
    digest: str = Field(description="SHA-256 over each event's signature field and a newline, in log order.")
    position: int
    tree_size: int = Field(description="Events in the Merkle tree up to `position` (RFC 9162).")
    root_hash: str = Field(description="The tree's root hash, base64: what a checkpoint of `tree_size` signs.")


class EventProofResponse(BaseModel):
    """An event's inclusion proof: rebuild the leaf hash from `leaf_input`, walk `inclusion` to the checkpoint's
    root."""

    event: str = Field(description="<goal id>:<version>")
    leaf_index: int
    tree_size: int
    leaf_input: str = Field(description="Base64 of the leaf input (ADR 0014): goal id, version, topic, stored state.")
    leaf_hash: str = Field(description="Base64 of SHA-256(0x00 || leaf input).")
    inclusion: list[str] = Field(description="Base64 hashes, leaf side first, as RFC 9162 2.1.3 orders them.")
    checkpoint: str = Field(description="The signed note (C2SP tlog-checkpoint) of the tree of `tree_size`.")


class ConsistencyResponse(BaseModel):
    """RFC 9162 2.1.4: the tree of size `to` extends the tree of size `from`."""

    model_config = ConfigDict(populate_by_name=True)

    from_size: int = Field(alias="from")
    to: int
    proof: list[str] = Field(description="Base64 hashes as RFC 9162 2.1.4 orders them.")


class FairnessGroup(BaseModel):
    group: str
    goals: int = Field(description="Goals of the cycle agreed (in force) at the position.")
    proposed: int
    approved: int
    rejected: int
    eased: int
    tightened: int
    mixed: int
    eased_goals: int = Field(description="Goals eased by at least one approved recalibration: the disparity unit.")
    by_reason: dict[str, int] = Field(description="Proposals per reason category.")
    median_days_before_deadline: float | None
    event_ids: dict[str, Any] = Field(description='For each figure, the ids ("<goal id>:<version>") it counts.')


class GroupDisparity(BaseModel):
    group: str
    eased_goals: int
    goals: int
    rate: float
    rest_rate: float | None
    p_value: float = Field(description="One-sided Fisher's exact test: this group's eased rate above the rest's.")
    adjusted_p_value: float = Field(description="Bonferroni-adjusted for the number of groups.")
    flagged: bool


class Disparity(BaseModel):
    measure: str
    alpha: float
    test: str = Field(description="fisher_exact (two groups), chi2_contingency (more), or none.")
    p_value: float | None
    flagged: list[str]
    groups: list[GroupDisparity]
    caveat: str | None


class FourEyesViolation(BaseModel):
    event_id: str
    goal_id: str
    recalibration_id: str
    decision: str
    decided_by: str
    decider_role: str
    owner_id: str
    proposed_by: str
    broken: list[str]


class FairnessReportResponse(BaseModel):
    """Byte for byte the same when asked again with the same cycle, grouping and position."""

    cycle: str
    group_by: str
    position: int
    hash: str = Field(description="SHA-256 of the canonical JSON (sorted keys, no spaces) without this field.")
    groups: list[FairnessGroup]
    disparity: Disparity
    four_eyes_violations: list[FourEyesViolation]
    review_decisions: dict[str, Any] = Field(description=(
        "Per group: decisions, overrides of the computed band up and down, bands decided, disputes, each with the "
        "event ids it counts; `override_disparity` (upward overrides per decision, each group against the rest) "
        "and `band_disparity` (bands across groups, chi-square or Fisher's exact test)."))
    unsupported_achievements: list[dict[str, Any]] = Field(description=(
        "Goals closed as achieved whose data does not bear it out: a KPI with no reading, or whose last reading "
        "falls short of the target in force at closure; each with its evidence (event ids)."))

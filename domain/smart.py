"""The SMART check: grade a goal against Specific, Measurable, Achievable, Relevant, Time-bound.

A pure function of the goal's terms, the day it is asked and a policy. Blocking findings stop a goal from
being agreed; advisory ones are shown to the people signing it but do not stop them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from domain.errors import SmartCheckFailedError
from domain.values import ARITHMETIC, Cycle, Direction, Kpi

if TYPE_CHECKING:
    from domain.terms import GoalTerms


class Criterion(StrEnum):
    SPECIFIC = "specific"
    MEASURABLE = "measurable"
    ACHIEVABLE = "achievable"
    RELEVANT = "relevant"
    TIME_BOUND = "time_bound"


@dataclass(frozen=True)
class SmartPolicy:
    """Thresholds of the check; the defaults are argued in docs/adr/0003-smart-rules.md."""

    min_statement_length: int = 25
    # A target that moves a KPI by more than this fraction of its baseline is flagged as a stretch:
    # the seed calls "double sales this quarter" unrealistic, and doubling is a relative change of 1.0.
    max_relative_change: Decimal = Decimal("1.0")


DEFAULT_POLICY = SmartPolicy()

VAGUE_PHRASES = (
    "improve",
    "do better",
    "be better",
    "get better",
    "work on",
    "try to",
    "try harder",
    "enhance",
    "optimize",
    "optimise",
)


@dataclass(frozen=True)
class Finding:
    criterion: Criterion
    code: str
    message: str
    blocking: bool


@dataclass(frozen=True)
class SmartReport:
    findings: tuple[Finding, ...]

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    @property
    def passes(self) -> bool:
        return not self.blocking

    def by_criterion(self) -> dict[Criterion, list[Finding]]:
        grouped: dict[Criterion, list[Finding]] = {c: [] for c in Criterion}
        for finding in self.findings:
            grouped[finding.criterion].append(finding)
        return grouped


def assess(terms: GoalTerms, cycle: Cycle, today: date, policy: SmartPolicy = DEFAULT_POLICY) -> SmartReport:
    """Grade the goal's terms; findings come in criterion order."""
    findings = [
        *_specific(terms.statement, policy),
        *_measurable(terms.kpis),
        *_achievable(terms.kpis, policy),
        *_relevant(terms.parent_goal_id, terms.rationale),
        *_time_bound(terms.deadline, cycle, today),
    ]
    return SmartReport(tuple(findings))


def _specific(statement: str, policy: SmartPolicy) -> list[Finding]:
    text = statement.strip()
    findings = []
    if len(text) < policy.min_statement_length:
        findings.append(
            Finding(
                Criterion.SPECIFIC,
                "statement_too_short",
                f"statement {text!r} has {len(text)} characters; at least "
                f"{policy.min_statement_length} are needed to say what, to what standard and by when",
                blocking=True,
            )
        )
    lowered = text.lower()
    vague = [p for p in VAGUE_PHRASES if re.search(rf"\b{re.escape(p)}\b", lowered)]
    if vague and not re.search(r"\d", text):
        findings.append(
            Finding(
                Criterion.SPECIFIC,
                "vague_wording",
                f"statement uses vague wording ({', '.join(vague)}) with no number to pin it down",
                blocking=True,
            )
        )
    return findings


def _measurable(kpis: Sequence[Kpi]) -> list[Finding]:
    if not kpis:
        return [Finding(Criterion.MEASURABLE, "no_kpi", "the goal has no KPI to measure it by", True)]
    findings = []
    for kpi in kpis:
        if not kpi.unit.strip():
            findings.append(
                Finding(Criterion.MEASURABLE, "kpi_without_unit", f"KPI {kpi.id!r} has no unit", True)
            )
        if kpi.direction is Direction.RANGE:
            if kpi.low is None or kpi.high is None:
                findings.append(
                    Finding(
                        Criterion.MEASURABLE,
                        "kpi_without_target",
                        f"range KPI {kpi.id!r} needs both low and high",
                        True,
                    )
                )
        elif kpi.target is None:
            findings.append(
                Finding(
                    Criterion.MEASURABLE,
                    "kpi_without_target",
                    f"KPI {kpi.id!r} has no numeric target",
                    True,
                )
            )
    return findings


def _achievable(kpis: Sequence[Kpi], policy: SmartPolicy) -> list[Finding]:
    findings = []
    for kpi in kpis:
        problem = target_problem(kpi)
        if problem:
            findings.append(Finding(Criterion.ACHIEVABLE, problem[0], problem[1], True))
            continue
        stretch = relative_change(kpi)
        if stretch is not None and stretch > policy.max_relative_change:
            findings.append(
                Finding(
                    Criterion.ACHIEVABLE,
                    "stretch_too_far",
                    f"KPI {kpi.id!r} moves {stretch:.0%} from its baseline {kpi.baseline}; "
                    f"more than {policy.max_relative_change:.0%} is rarely achievable in one cycle",
                    False,
                )
            )
    return findings


def target_problem(kpi: Kpi) -> tuple[str, str] | None:
    """Why the KPI's target cannot be reached by moving the right way from its baseline, if it cannot."""
    if kpi.direction is Direction.RANGE:
        if kpi.low is not None and kpi.high is not None and kpi.low > kpi.high:
            return "range_inverted", f"range KPI {kpi.id!r} has low {kpi.low} above high {kpi.high}"
        return None
    if kpi.target is None:
        return None
    if kpi.target == kpi.baseline:
        return "target_equals_baseline", f"KPI {kpi.id!r} target {kpi.target} equals its baseline"
    wrong_side = (kpi.direction is Direction.INCREASE and kpi.target < kpi.baseline) or (
        kpi.direction is Direction.DECREASE and kpi.target > kpi.baseline
    )
    if wrong_side:
        return (
            "target_wrong_side",
            f"KPI {kpi.id!r} should {kpi.direction} but its target {kpi.target} "
            f"lies on the wrong side of its baseline {kpi.baseline}",
        )
    return None


def relative_change(kpi: Kpi) -> Decimal | None:
    if kpi.direction is Direction.RANGE or kpi.target is None or kpi.baseline == 0:
        return None
    with localcontext(ARITHMETIC):
        return abs(kpi.target - kpi.baseline) / abs(kpi.baseline)


def _relevant(parent_goal_id: str | None, rationale: str | None) -> list[Finding]:
    """Aligned to an objective or goal by its id passes (the application checked it exists when it was drafted or
    revised); free text in the link does not. A rationale without a link still passes (goals of cycles without
    objectives), as it did before objectives existed."""
    if parent_goal_id and _is_a_link(parent_goal_id):
        return []
    if parent_goal_id:
        return [Finding(Criterion.RELEVANT, "alignment_not_a_link",
                        f"the goal is aligned to {parent_goal_id!r}, which is not the id of an objective or a goal",
                        True)]
    if rationale and rationale.strip():
        return []
    return [
        Finding(
            Criterion.RELEVANT,
            "no_alignment",
            "the goal names neither a parent goal nor a rationale tying it to the organisation's objectives",
            True,
        )
    ]


def _is_a_link(reference: str) -> bool:
    try:
        UUID(reference)
    except ValueError:
        return False
    return True


def _time_bound(deadline: date | None, cycle: Cycle, today: date) -> list[Finding]:
    if deadline is None:
        return [Finding(Criterion.TIME_BOUND, "no_deadline", "the goal has no deadline", True)]
    findings = []
    if not cycle.start <= deadline <= cycle.end:
        findings.append(
            Finding(
                Criterion.TIME_BOUND,
                "deadline_outside_cycle",
                f"deadline {deadline} lies outside cycle {cycle.id} ({cycle.start} to {cycle.end})",
                True,
            )
        )
    if deadline < today:
        findings.append(
            Finding(
                Criterion.TIME_BOUND,
                "deadline_past",
                f"deadline {deadline} has already passed (today is {today})",
                True,
            )
        )
    return findings


def require_passes(report: SmartReport) -> None:
    """A goal is signed only when no finding blocks it."""
    if not report.passes:
        raise SmartCheckFailedError(
            "the goal fails the SMART check: " + "; ".join(f"{f.criterion}: {f.message}" for f in report.blocking),
            findings=[{"criterion": str(f.criterion), "code": f.code, "message": f.message} for f in report.blocking],
        )

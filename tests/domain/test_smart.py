"""The SMART check is a pure function: each criterion's findings, blocking or advisory, with the offending value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import pytest

from domain.smart import Criterion, Finding, SmartPolicy, assess
from domain.values import Cycle, Kpi
from tests.scenarios import CSAT, DEFECTS, H1, RESPONSE_TIME, SURVEY, TICKETS

TODAY = date(2026, 1, 15)


@dataclass(frozen=True)
class Terms:
    """Just what the check reads of a goal."""

    statement: str = "Resolve at least 20 support tickets per day with an average CSAT of 90% by the end of Q2"
    kpis: Sequence[Kpi] = (TICKETS, CSAT)
    deadline: date | None = date(2026, 6, 30)
    cycle: Cycle = H1
    parent_goal_id: str | None = None
    rationale: str | None = "Support quality is the first company objective."


def findings(terms: Terms, today: date = TODAY, policy: SmartPolicy | None = None) -> list[Finding]:
    return list(assess(terms, terms.cycle, today, policy or SmartPolicy()).findings)  # type: ignore[arg-type]


def only(terms: Terms, code: str, **kwargs: object) -> Finding:
    """The single finding of the check, which must carry `code`."""
    found = findings(terms, **kwargs)  # type: ignore[arg-type]
    assert [f.code for f in found] == [code]
    return found[0]


def test_the_seed_examples_pass_without_findings() -> None:
    assert findings(Terms()) == []
    assert findings(Terms(statement="Reduce product defect rate from 5% to 2% by the end of the year",
                          kpis=(DEFECTS,), deadline=date(2026, 6, 30))) == []
    assert findings(Terms(kpis=(SURVEY, RESPONSE_TIME))) == []


def test_a_short_statement_is_not_specific_and_names_its_length() -> None:
    finding = only(Terms(statement="Sell 20% more"), "statement_too_short")
    assert finding.criterion is Criterion.SPECIFIC and finding.blocking
    assert "'Sell 20% more'" in finding.message and "13 characters" in finding.message


@pytest.mark.parametrize("statement", [
    "Improve how the team handles customer tickets this half year",
    "Do better at answering customers quickly and politely overall",
    "Work on the quality of the product documentation for our users",
])
def test_vague_wording_without_a_number_is_not_specific(statement: str) -> None:
    finding = only(Terms(statement=statement), "vague_wording")
    assert finding.criterion is Criterion.SPECIFIC and finding.blocking
    vague = statement.lower().split()[0]
    assert vague in finding.message


def test_vague_wording_pinned_down_by_a_number_is_specific_enough() -> None:
    assert findings(Terms(statement="Improve first response time from 3 hours to under 2 hours by June")) == []


def test_a_word_that_merely_contains_a_vague_phrase_is_not_vague() -> None:
    assert findings(Terms(statement="Document the improvements catalogue for all support agents now")) == []


def test_a_goal_without_kpi_is_not_measurable() -> None:
    finding = only(Terms(kpis=()), "no_kpi")
    assert finding.criterion is Criterion.MEASURABLE and finding.blocking


def test_a_kpi_without_a_unit_is_not_measurable_and_is_named() -> None:
    finding = only(Terms(kpis=(replace(TICKETS, unit="  "),)), "kpi_without_unit")
    assert finding.blocking and "'tickets'" in finding.message


def test_a_kpi_without_a_target_is_not_measurable_and_is_named() -> None:
    finding = only(Terms(kpis=(replace(CSAT, target=None),)), "kpi_without_target")
    assert finding.criterion is Criterion.MEASURABLE and finding.blocking and "'csat'" in finding.message


def test_a_range_kpi_needs_both_bounds() -> None:
    finding = only(Terms(kpis=(replace(RESPONSE_TIME, high=None),)), "kpi_without_target")
    assert "'response'" in finding.message and "low and high" in finding.message


def test_a_target_equal_to_its_baseline_is_not_achievable_progress() -> None:
    finding = only(Terms(kpis=(replace(TICKETS, target=Decimal(14)),)), "target_equals_baseline")
    assert finding.criterion is Criterion.ACHIEVABLE and finding.blocking and "target 14" in finding.message


@pytest.mark.parametrize(("kpi", "target"), [(TICKETS, Decimal(10)), (DEFECTS, Decimal("6.5"))])
def test_a_target_on_the_wrong_side_of_the_baseline_is_refused(kpi: Kpi, target: Decimal) -> None:
    finding = only(Terms(kpis=(replace(kpi, target=target),)), "target_wrong_side")
    assert finding.blocking and str(target) in finding.message and str(kpi.baseline) in finding.message
    assert str(kpi.direction) in finding.message


def test_an_inverted_range_is_not_achievable() -> None:
    finding = only(Terms(kpis=(replace(RESPONSE_TIME, low=Decimal(3), high=Decimal(1)),)), "range_inverted")
    assert finding.blocking and "low 3 above high 1" in finding.message


def test_a_stretch_beyond_the_ratio_is_advisory_only() -> None:
    doubled_and_more = replace(TICKETS, target=Decimal(30))  # +114% from 14
    finding = only(Terms(kpis=(doubled_and_more,)), "stretch_too_far")
    assert finding.criterion is Criterion.ACHIEVABLE and not finding.blocking
    assert "114%" in finding.message and "baseline 14" in finding.message
    assert assess(Terms(kpis=(doubled_and_more,)), H1, TODAY).passes  # type: ignore[arg-type]


def test_the_stretch_ratio_is_configurable() -> None:
    modest = Terms(kpis=(TICKETS,))  # 14 -> 20 is +43%
    assert findings(modest) == []
    finding = only(modest, "stretch_too_far", policy=SmartPolicy(max_relative_change=Decimal("0.4")))
    assert "43%" in finding.message and "40%" in finding.message


def test_the_minimum_statement_length_is_configurable() -> None:
    assert only(Terms(), "statement_too_short", policy=SmartPolicy(min_statement_length=200)).blocking


def test_a_goal_with_neither_parent_nor_rationale_is_not_relevant() -> None:
    finding = only(Terms(rationale="   "), "no_alignment")
    assert finding.criterion is Criterion.RELEVANT and finding.blocking
    assert findings(Terms(rationale=None, parent_goal_id="8c0d6d5e-4f5b-5a8e-9a53-3c1f1c7e2b10")) == []


def test_a_link_in_free_text_is_not_relevant() -> None:
    assert only(Terms(rationale=None, parent_goal_id="org-quality-2026"), "alignment_not_a_link").blocking


def test_a_goal_without_deadline_is_not_time_bound() -> None:
    finding = only(Terms(deadline=None), "no_deadline")
    assert finding.criterion is Criterion.TIME_BOUND and finding.blocking


def test_a_deadline_outside_the_cycle_is_named_with_the_cycle() -> None:
    finding = only(Terms(deadline=date(2026, 7, 1)), "deadline_outside_cycle")
    assert finding.blocking and "2026-07-01" in finding.message and "2026-H1" in finding.message


def test_a_deadline_already_past_is_named_with_today() -> None:
    finding = only(Terms(deadline=date(2026, 3, 31)), "deadline_past", today=date(2026, 4, 1))
    assert finding.blocking and "2026-03-31" in finding.message and "2026-04-01" in finding.message
    assert findings(Terms(deadline=date(2026, 3, 31)), today=date(2026, 3, 31)) == []


def test_findings_come_grouped_by_criterion_in_smart_order() -> None:
    report = assess(Terms(statement="Work on it", kpis=(), rationale=None, deadline=None), H1, TODAY)  # type: ignore[arg-type]
    assert [f.criterion for f in report.findings] == [
        Criterion.SPECIFIC, Criterion.SPECIFIC, Criterion.MEASURABLE, Criterion.RELEVANT, Criterion.TIME_BOUND,
    ]
    grouped = report.by_criterion()
    assert grouped[Criterion.ACHIEVABLE] == [] and len(grouped[Criterion.SPECIFIC]) == 2
    assert not report.passes and len(report.blocking) == 5

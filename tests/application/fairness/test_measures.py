"""Measures over constructed employees (ADR 0041): direction, clusters, strata, minimum cells, statuses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from application.fairness.measures import Unit, binary_measure, continuous_measure


def team(group: str, size: int, yes: int, stratum: str = "", items: int = 1) -> list[Unit]:
    return [Unit(group, f"{group}-{stratum}-{i}", float(i < yes), items, stratum) for i in range(size)]


def row(measure: dict, group: str) -> dict:
    return next(r for r in measure["groups"] if r["group"] == group)


def test_a_manager_who_eased_nobody_against_forty_percent_elsewhere_is_flagged_lower() -> None:
    measure = binary_measure(team("low", 20, 0) + team("b", 20, 8) + team("c", 20, 8), "seed")
    low = row(measure, "low")
    expected = scipy_stats.fisher_exact([[0, 20], [16, 24]]).pvalue
    assert low["p_value"] == pytest.approx(expected, rel=1e-5)
    assert (low["status"], low["direction"]) == ("flag", "lower")
    assert low["holm_p_value"] == pytest.approx(min(1, expected * 3), rel=1e-5)
    assert measure["groups"][0]["group"] == "low"  # rows sorted by status: the flag first
    assert low["rate_ratio"] < 1 and low["impact_ratio_vs_highest"] == 0.0


def test_four_goals_of_one_employee_count_as_one_employee() -> None:
    # one employee with four eased goals, against 15 colleagues of whom 1 was eased
    measure = binary_measure([Unit("a", "e1", 1.0, 4), *team("a", 4, 0), *team("b", 16, 1)], "seed")
    a = row(measure, "a")
    assert (a["employees"], a["items"], a["count"]) == (5, 8, 1)
    assert a["p_value"] == pytest.approx(scipy_stats.fisher_exact([[1, 4], [1, 15]]).pvalue, rel=1e-5)
    assert a["status"] != "flag"


def test_simpsons_paradox_is_flagged_where_the_strata_point_the_other_way() -> None:
    # in each unit the manager eases less than the rest, but works mostly in the unit that eases a lot
    units = (team("m", 40, 32, "easy") + team("m", 10, 1, "hard")
             + team("rest", 10, 9, "easy") + team("rest", 40, 8, "hard"))
    m = binary_measure(units, "seed")["groups"]
    mine = row({"groups": m}, "m")
    assert mine["rate_ratio"] > 1 and mine["mh_odds_ratio"] < 1
    assert mine["simpson"] is True
    assert any("Simpson" in c for c in mine["caveats"])


def test_a_group_below_the_minimum_is_insufficient_unless_the_evidence_is_overwhelming() -> None:
    tiny = row(binary_measure(team("tiny", 3, 1) + team("big", 60, 9), "seed"), "tiny")
    assert tiny["status"] == "insufficient"
    assert any("fewer than 5" in c for c in tiny["caveats"])
    assert tiny["mdr_higher"] is None or tiny["mdr_higher"] > 2
    # 3 of 3 against 9 of 60: p = 0.0034, flagged with its caveat (a team of three can be flagged)
    all_three = row(binary_measure(team("tiny", 3, 3) + team("big", 60, 9), "seed"), "tiny")
    assert (all_three["status"], all_three["direction"]) == ("flag", "higher")
    assert any("fewer than 5" in c for c in all_three["caveats"])


def test_the_rate_carries_its_wilson_interval_and_the_impact_ratios() -> None:
    measure = binary_measure(team("a", 10, 5) + team("b", 10, 2), "seed")
    a = row(measure, "a")
    interval = scipy_stats.binomtest(5, 10).proportion_ci(method="wilson")
    assert (a["wilson_low"], a["wilson_high"]) == pytest.approx((interval.low, interval.high), rel=1e-5)
    assert a["impact_ratio_vs_rest"] == pytest.approx(2.5)
    assert row(measure, "b")["impact_ratio_vs_highest"] == pytest.approx(0.4)


def test_bands_are_compared_by_kruskal_wallis_and_by_permutation() -> None:
    units = [Unit("a", f"a{i}", float(v), 1) for i, v in enumerate([4, 4, 3, 3, 4, 2])]
    units += [Unit("b", f"b{i}", float(v), 1) for i, v in enumerate([1, 2, 2, 1, 0, 2])]
    measure = continuous_measure(units, "seed")
    expected = scipy_stats.kruskal([4, 4, 3, 3, 4, 2], [1, 2, 2, 1, 0, 2])
    assert measure["kruskal_wallis"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-5)
    assert row(measure, "a")["direction"] == "higher"
    assert measure == continuous_measure(units, "seed")


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.booleans()), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_every_group_gets_one_row_whose_figures_hold_together(outcomes: list[tuple[str, bool]]) -> None:
    units = [Unit(group, f"e{i}", float(yes), 1) for i, (group, yes) in enumerate(outcomes)]
    measure = binary_measure(units, "seed")
    assert sorted(r["group"] for r in measure["groups"]) == sorted({g for g, _ in outcomes})
    for r in measure["groups"]:
        assert r["count"] == sum(1 for g, yes in outcomes if g == r["group"] and yes)
        assert r["wilson_low"] <= r["rate"] <= r["wilson_high"]
        if r["p_value"] is not None:
            assert r["p_value"] <= r["holm_p_value"] and r["bh_q_value"] <= r["holm_p_value"]
        assert r["status"] in ("flag", "watch", "insufficient", "ok")
        assert r["status"] != "flag" or r["direction"] is not None
    assert binary_measure(units, "seed") == measure  # the same bytes every time

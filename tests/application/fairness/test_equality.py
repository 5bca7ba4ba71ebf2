"""Protected characteristics (ADR 0042): sealed outside the log, imported and corrected, erased, snapshotted when a
cycle opens, reported in aggregate only with a minimum cell and complementary suppression, the four-fifths rule
and the two-standard-deviation test."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select

from application.cycles.service import Cycles
from application.equality.analysis import suppressed
from application.equality.attributes import (
    AttributeImportError, attribute_snapshots, erase_attributes, import_attributes, person_attributes,
    snapshot_values, take_snapshot,
)
from application.equality.report import attribute_report, min_cell
from application.goals.service import Goals
from tests.conftest import Clock
from tests.projections.fairness_seed import Team, seed_team
from tests.scenarios import HR


def csv_of(values: dict[str, str], name: str = "sex") -> str:
    return f"person_id,{name}\n" + "".join(f"{p},{v}\n" for p, v in values.items())


@pytest.mark.parametrize("text", [
    "id,sex\na,f\n", "person_id\na\n", "person_id,Sex\na,f\n", "person_id,sex,sex\na,f,m\n", "person_id,sex\na\n",
    "person_id,sex\na,f\x01\n", f"person_id,sex\na,{'x' * 101}\n", "person_id,sex\n,f\n",
])
def test_a_bad_file_is_refused_whole_and_nothing_is_stored(goals: Goals, text: str) -> None:
    with pytest.raises(AttributeImportError):
        import_attributes(goals, text)
    with goals.engine.connect() as connection:
        assert connection.execute(select(person_attributes)).all() == []


def test_values_are_sealed_corrected_and_erased(goals: Goals) -> None:
    assert import_attributes(goals, csv_of({"emp-1": "female", "emp-2": "male"})) == 2
    assert import_attributes(goals, csv_of({"emp-1": "non_binary"})) == 1  # a correction replaces
    with goals.engine.connect() as connection:
        stored = {r.person_id: r.sealed_value for r in connection.execute(select(person_attributes))}
    assert "female" not in str(stored) and "non_binary" not in str(stored)  # sealed, never plain
    take_snapshot(goals, "2026-H1")
    _snapshot, values = snapshot_values(goals, "2026-H1", "sex")
    assert values == {"emp-1": "non_binary", "emp-2": "male"}
    assert erase_attributes(goals, "emp-1") == 1
    goals.data_keys.erase("emp-2")  # crypto-shredding: the snapshot's sealed value no longer opens
    assert snapshot_values(goals, "2026-H1", "sex")[1] == {"emp-1": "non_binary"}


def test_a_cycle_snapshots_and_hashes_the_values_when_it_opens(goals: Goals) -> None:
    import_attributes(goals, csv_of({"emp-1": "female"}))
    Cycles(goals).open_cycle(HR, cycle_id="2027-H1", name="2027 H1", start=date(2027, 1, 1), end=date(2027, 6, 30))
    import_attributes(goals, csv_of({"emp-1": "male"}))  # a later correction does not reach the snapshot
    snapshot, values = snapshot_values(goals, "2027-H1", "sex")
    assert (snapshot.rows, values) == (1, {"emp-1": "female"})
    assert take_snapshot(goals, "2027-H1") == snapshot
    with goals.engine.begin() as connection:  # an edited snapshot no longer matches its digest
        connection.execute(attribute_snapshots.update().values(sealed_value="x:AAAA"))
    with pytest.raises(Exception, match="no longer matches its digest"):
        snapshot_values(goals, "2027-H1", "sex")


def test_the_minimum_cell_is_10_by_default_and_never_below_5() -> None:
    assert min_cell({}) == 10
    assert min_cell({"GOALENGINE_FAIRNESS_MIN_CELL": "20"}) == 20
    assert min_cell({"GOALENGINE_FAIRNESS_MIN_CELL": "2"}) == 5


def test_one_small_group_hides_the_next_smallest_too() -> None:
    rows = [{"group": g, "employees": n, "status": "ok"} for g, n in (("x", 3), ("f", 12), ("m", 14), ("d", 30))]
    shown = suppressed({"groups": rows}, 10)["groups"]
    assert [(r["group"], r["suppressed"]) for r in shown] == [("m", False), ("d", False), ("x", True), ("f", True)]
    assert shown[2] == {"group": "x", "suppressed": True}
    two = suppressed({"groups": [*rows[:1], {"group": "y", "employees": 4, "status": "ok"}, *rows[2:]]}, 10)
    assert [r["group"] for r in two["groups"] if r["suppressed"]] == ["x", "y"]  # two hidden: only their sum shows


def test_the_report_by_attribute_is_aggregate_with_the_four_fifths_and_two_sd_tests(goals: Goals,
                                                                                     clock: Clock) -> None:
    f_goals = seed_team(goals, clock, Team("mgr-f", 20, eased=2))
    m_goals = seed_team(goals, clock, Team("mgr-m", 20, eased=10))
    small = seed_team(goals, clock, Team("mgr-s", 3, eased=3))
    values = {f"mgr-f-report-{i}": "female" for i in range(20)} | {f"mgr-m-report-{i}": "male" for i in range(20)}
    values |= {f"mgr-s-report-{i}": "non_binary" for i in range(3)}
    import_attributes(goals, csv_of(values))
    take_snapshot(goals, "2026-H1")
    body = attribute_report(goals, "2026-H1", "attribute:sex").body
    rows = {r["group"]: r for r in body["measures"]["eased"]["groups"]}
    # non_binary (3) is under the cell; alone hidden it could be derived, so female (20, the smaller) goes too
    assert rows["non_binary"] == {"group": "non_binary", "suppressed": True}
    assert rows["female"] == {"group": "female", "suppressed": True}
    male = rows["male"]
    # four-fifths: male is the highest shown rate; z against the overall rate 15/43 by hand
    p = 15 / 43
    assert male["two_sd_z"] == pytest.approx((10 - 20 * p) / math.sqrt(20 * p * (1 - p)), rel=1e-5)
    assert male["two_sd"] == "within" and male["four_fifths"] == "meets"
    text = str(body)
    for goal_id in (*f_goals, *m_goals, *small):
        assert str(goal_id) not in text  # no ids: aggregate only
    assert "mgr-f-report-0" not in text and "rest_count" not in text
    assert body["attribute_snapshot"]["rows"] == 43 and body["summary"].startswith("by sex, 1 groups shown, 2 hidden")


def test_a_group_eased_at_a_fifth_of_the_others_rate_fails_the_four_fifths_rule(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-f", 20, eased=2))
    seed_team(goals, clock, Team("mgr-m", 20, eased=10))
    values = {f"mgr-f-report-{i}": "female" for i in range(20)} | {f"mgr-m-report-{i}": "male" for i in range(20)}
    import_attributes(goals, csv_of(values))
    take_snapshot(goals, "2026-H1")
    rows = {r["group"]: r for r in attribute_report(goals, "2026-H1", "attribute:sex").body["measures"]["eased"][
        "groups"]}
    female = rows["female"]
    assert (female["four_fifths_ratio"], female["four_fifths"]) == (0.2, "below")  # 0.1 / 0.5
    assert female["two_sd_z"] == pytest.approx((2 - 6) / math.sqrt(20 * 0.3 * 0.7), rel=1e-5)  # -1.95: within
    assert female["two_sd"] == "within" and female["direction"] == "lower"
    assert female["p_value"] == pytest.approx(0.0138141, rel=1e-5)  # scipy: Fisher two-sided on [[2, 18], [10, 10]]


def test_erasing_a_person_erases_their_characteristics_too(goals: Goals) -> None:
    from application.privacy.erasure import erase_person

    import_attributes(goals, csv_of({"emp-1": "female", "emp-2": "male"}))
    take_snapshot(goals, "2026-H1")
    erase_person(goals, "emp-1", HR, "Left in 2019; retention ended.")
    with goals.engine.connect() as connection:
        assert [r.person_id for r in connection.execute(select(person_attributes))] == ["emp-2"]
    assert snapshot_values(goals, "2026-H1", "sex")[1] == {"emp-2": "male"}

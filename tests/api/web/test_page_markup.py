"""Markup every page owes its users: one element per id (so each label names one field) and a numeric keypad on
phones for every number field (issue 25's bugs: two selects shared `f-kpi`; `inputmode` was escaped into quotes)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from tests.api.web.test_workspace_pages import Web, web  # noqa: F401 (the module-scoped fixture, both stores)

NUMBER_FIELDS = {"value", "target", "weight", "kpi_baseline", "kpi_target"}


class Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.labels: list[str] = []
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[str(attributes["id"])] += 1
        if tag == "label" and attributes.get("for"):
            self.labels.append(str(attributes["for"]))
        if tag == "input":
            self.inputs.append(attributes)


def pages_of(web: Web) -> dict[tuple[str, str], list[str]]:  # noqa: F811
    goal_id = web.goal_titled("Support ticket throughput")
    agreed = web.goal_titled("Customer-service satisfaction")
    cycle = web.goals.get_goal(goal_id).cycle.id
    return {
        ("emp-dev", "employee"): ["/", f"/workspace/goals/{goal_id}", f"/workspace/reviews/emp-dev?cycle={cycle}"],
        ("mgr-ana", "manager"): ["/", "/workspace/goals/new", f"/workspace/goals/{goal_id}",
                                 f"/workspace/goals/{agreed}"],
        ("hr-iris", "hr"): ["/", "/workspace/hr/recalibrations", f"/workspace/goals/{goal_id}",
                            f"/workspace/goals/{agreed}"],
    }


def test_no_page_repeats_an_id_and_every_label_names_one_field(web: Web) -> None:  # noqa: F811
    for (sub, role), paths in pages_of(web).items():
        web.sign_in(sub, role)
        for path in paths:
            answer = web.client.get(path)
            assert answer.status_code == 200, (sub, path)
            markup = Markup()
            markup.feed(answer.text)
            repeated = [name for name, count in markup.ids.items() if count > 1]
            assert repeated == [], (sub, path, repeated)
            assert all(markup.ids[target] == 1 for target in markup.labels), (sub, path)


def test_number_fields_ask_phones_for_a_decimal_keypad(web: Web) -> None:  # noqa: F811
    seen = 0
    for (sub, role), paths in pages_of(web).items():
        web.sign_in(sub, role)
        for path in paths:
            markup = Markup()
            markup.feed(web.client.get(path).text)
            for attributes in markup.inputs:
                if attributes.get("name") in NUMBER_FIELDS:
                    seen += 1
                    assert attributes.get("inputmode") == "decimal", (path, attributes)
    assert seen >= 3

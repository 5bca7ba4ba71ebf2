"""Drafting in a real headless Chromium against `goalengine serve` seeded by `goalengine demo` (the fixtures of
tests/e2e/test_workspace_browser.py: screenshots and axe-core on every page visited): a manager drafts a vague goal
with two KPIs (the second row added by the form's own button), edits it beside its SMART findings until it passes,
both sign, and the employee checks in and records a reading with its note."""

from __future__ import annotations

import pytest

from tests.e2e import test_workspace_browser as suite
from tests.e2e.test_workspace_browser import Pages

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
server, browser, shots, pages = suite.server, suite.browser, suite.shots, suite.pages  # the suite's fixtures
CLEAR = "Bring the share of tickets escalated to engineering down from 12% to 8% by the deadline"


def fill(site: Pages, **values: str) -> None:
    for name, value in values.items():
        element = site.driver.find_element(By.ID, f"f-{name}")
        element.clear()
        element.send_keys(value)


def press(site: Pages, label: str) -> None:
    site.driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()


def sign(site: Pages) -> None:
    # The URL already ends in #signatures after an earlier signature: wait for the old page to go, not for the URL.
    button = site.driver.find_element(By.CSS_SELECTOR, "#signatures form button")
    button.click()
    site.wait_for(expected_conditions.staleness_of(button))
    site.wait_for(lambda d: "#signatures" in d.current_url)


def test_a_manager_drafts_two_kpis_edits_the_vague_draft_and_the_employee_checks_in(pages: Pages) -> None:
    pages.sign_in("mgr-ana", "manager")
    pages.open("/workspace/goals/new")
    Select(pages.driver.find_element(By.ID, "f-owner_id")).select_by_visible_text("Eve Martin, Support specialist")
    fill(pages, title="Escalations", statement="Improve escalations",
         rationale="Escalations cost the most support time.")
    fill(pages, **{"kpis-0-id": "escalations", "kpis-0-name": "Escalated tickets", "kpis-0-unit": "%",
                   "kpis-0-baseline": "12", "kpis-0-target": "8"})
    Select(pages.driver.find_element(By.ID, "f-kpis-0-direction")).select_by_value("decrease")
    press(pages, "Add another KPI")
    pages.wait_for(lambda d: d.find_elements(By.ID, "f-kpis-1-id"))
    assert pages.driver.find_element(By.ID, "f-kpis-0-id").get_attribute("value") == "escalations"  # kept
    fill(pages, **{"kpis-1-id": "reopened", "kpis-1-name": "Reopened tickets", "kpis-1-unit": "%",
                   "kpis-1-baseline": "6", "kpis-1-target": "4"})
    Select(pages.driver.find_element(By.ID, "f-kpis-1-direction")).select_by_value("decrease")
    pages.check("draft-two-kpis")
    press(pages, "Draft")
    pages.wait_for(lambda d: d.find_elements(By.ID, "edit-draft"))
    goal_path = pages.driver.current_url.removeprefix(pages.server.url)
    assert {e.get_attribute("id") for e in pages.driver.find_elements(By.CSS_SELECTOR, "figure.kpi")} == {
        "kpi-escalations", "kpi-reopened"}
    pages.check("vague-draft")

    pages.driver.find_element(By.ID, "edit-draft").click()
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-findings-for=statement] .finding.blocking"))
    pages.check("edit-draft-with-findings")
    fill(pages, statement=CLEAR)
    press(pages, "Save the changes")
    pages.wait_for(lambda d: "#signatures" in d.current_url)
    assert CLEAR in pages.driver.find_element(By.CSS_SELECTOR, "dl.terms").text
    sign(pages)

    pages.sign_in("emp-eve", "employee")
    pages.open(goal_path)
    sign(pages)
    assert pages.driver.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "agreed"
    Select(pages.driver.find_element(By.ID, "f-check-in-status")).select_by_visible_text("At risk")
    Select(pages.driver.find_element(By.ID, "f-check-in-confidence")).select_by_value("2")
    fill(pages, **{"check-in-note": "The queue doubled after the outage.",
                   "check-in-next_steps": "Ask for a second agent"})
    press(pages, "Record the check-in")
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "li.update-check_in"))
    assert "The queue doubled after the outage." in pages.driver.find_element(By.ID, "check-ins").text
    assert pages.driver.find_element(By.ID, "f-value").get_attribute("inputmode") == "decimal"
    fill(pages, value="11.5", note="Two escalations fewer after the new triage.")
    press(pages, "Record the reading")
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "li.update-reading"))
    assert "Two escalations fewer" in pages.driver.find_element(By.CSS_SELECTOR, "li.update-reading").text
    pages.check("goal-with-check-in")
    pages.open("/workspace/alignment")
    pages.check("alignment")

"""The workspace in a real headless Chromium (Debian's chromium and chromium-driver, through Selenium) against a real
`goalengine serve` process seeded by `goalengine demo`: one server and one browser session for the module.

Every page visited is screenshotted (the folder is printed) and checked by axe-core (from the selenium-axe-python
package, injected here only) for violations of every impact, and for console errors.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.web.session import sign_in_link
from tests.e2e.test_http_lifecycle import GOALENGINE, Server, running_server

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
AXE = Path(__import__("selenium_axe_python").__file__).parent / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("workspace")) as running:
        seeded = subprocess.run([str(GOALENGINE), "demo", "--base", running.url], env=running.env,
                                cwd=tmp_path_factory.getbasetemp(), capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
        running.demo_output = seeded.stdout  # type: ignore[attr-defined]
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.fail("chromium and chromium-driver are not installed: run `make test`, which installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test module's own folder (pytest-xdist runs the modules side by side, and two modules may name a page
    alike): under GOALENGINE_SCREENSHOTS if set (`make test` keeps them in var/screenshots, as the run's artefact),
    emptied of the previous run's screenshots first so that what is there is this run's; else under pytest's
    temporary folder of this run."""
    module = request.path.stem.removeprefix("test_")
    wanted = os.environ.get("GOALENGINE_SCREENSHOTS")
    folder = Path(wanted).resolve() / module if wanted else tmp_path_factory.mktemp(f"screenshots-{module}")
    folder.mkdir(parents=True, exist_ok=True)
    for earlier in [*folder.glob("*.png"), *folder.glob("*.pdf")]:
        earlier.unlink()
    print(f"\nworkspace screenshots: {folder}")
    return folder


class Pages:
    """Visits pages, screenshots them, and checks them for accessibility violations and console errors."""

    def __init__(self, server: Server, driver: webdriver.Chrome, shots: Path) -> None:
        self.server, self.driver, self.shots = server, driver, shots
        self.used: set[str] = set()

    def sign_in(self, sub: str, role: str) -> None:
        """Sign in by a one-time link: the one `goalengine demo` printed for this person, else a fresh one."""
        self.driver.delete_all_cookies()
        printed = re.search(rf"{role}\s+{sub}\s+(\S+)", self.server.demo_output)  # type: ignore[attr-defined]
        link = printed.group(1) if printed and printed.group(1) not in self.used else None
        if link is None:
            link = sign_in_link(self.server.env["GOALENGINE_SECRET"], sub, role, self.server.url)
        self.used.add(link)
        self.driver.get(link)  # the link's page asks to confirm; only its button (a POST) signs in
        self.driver.find_element(By.ID, "link-sign-in").click()
        self.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, ".who").get_attribute("data-person") == sub)

    def open(self, path: str) -> None:
        self.driver.get(self.server.url + path)

    def wait_for(self, condition: object) -> None:
        WebDriverWait(self.driver, 15).until(condition)  # type: ignore[arg-type]

    def check(self, name: str) -> None:
        """Screenshot the page, then assert no axe violation, whatever its impact, and no console error."""
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        self.driver.execute_script(AXE.read_text())
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
        found = [(v["id"], v.get("impact"), v.get("help"), [n.get("target") for n in v.get("nodes", [])][:3])
                 for v in result]
        assert found == [], f"{name}: {found}"
        errors = [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == [], f"{name}: {errors}"

    def open_own_goal(self, sub: str, role: str, title: str) -> None:
        self.sign_in(sub, role)
        self.open(self.goal_link(title))
        self.wait_for(lambda d: d.find_elements(By.ID, "record-form"))

    def goal_link(self, title: str) -> str:
        href = self.driver.find_element(By.LINK_TEXT, title).get_attribute("href")
        assert href is not None
        return href.removeprefix(self.server.url)


@pytest.fixture(scope="module")
def pages(server: Server, browser: webdriver.Chrome, shots: Path) -> Pages:
    return Pages(server, browser, shots)


def test_the_sign_in_page_is_where_the_workspace_sends_a_stranger(pages: Pages) -> None:
    pages.driver.delete_all_cookies()
    pages.open("/")
    assert "/login" in pages.driver.current_url
    pages.check("login")
    pages.driver.get(sign_in_link(pages.server.env["GOALENGINE_SECRET"], "emp-dev", "employee", pages.server.url))
    assert "Sign in as Devika Rao" in pages.driver.find_element(By.TAG_NAME, "h1").text  # asks; signs nobody in yet
    pages.check("sign-in-link")


def test_an_employee_signs_in_by_link_and_records_a_reading_that_shows_in_the_chart(pages: Pages) -> None:
    pages.sign_in("emp-dev", "employee")
    pages.check("employee-home")
    assert pages.driver.find_elements(By.CSS_SELECTOR, "#my-goals [data-pace]")
    pages.open(pages.goal_link("Support ticket throughput"))
    pages.check("goal-before-reading")
    pages.driver.find_element(By.ID, "f-value").send_keys("17.1")
    pages.driver.find_element(By.CSS_SELECTOR, "#record-form button[type=submit]").click()
    pages.wait_for(lambda d: d.find_elements(By.XPATH, "//*[local-name()='circle']/*[local-name()='title']"
                                                       "[contains(., 'reading 17.1')]"))
    assert "17.1" in pages.driver.find_element(By.CSS_SELECTOR, "#kpi-tickets table.figures").text
    pages.check("goal-after-reading")


def test_a_refused_reading_shows_the_api_problem_next_to_the_field(pages: Pages) -> None:
    pages.open_own_goal("emp-dev", "employee", "Support ticket throughput")
    pages.driver.find_element(By.ID, "f-value").send_keys("lots")
    pages.driver.find_element(By.CSS_SELECTOR, "#record-form button[type=submit]").click()
    pages.wait_for(lambda d: d.find_elements(By.ID, "e-value"))
    assert "a number" in pages.driver.find_element(By.ID, "e-value").text
    assert pages.driver.find_element(By.CSS_SELECTOR, "#record-form .problem").get_attribute("data-code") == \
        "invalid_request"
    pages.driver.get_log("browser")  # Chromium logs the page's 422 status as a failed resource: expected here
    pages.driver.save_screenshot(str(pages.shots / "goal-refused-reading.png"))


def test_the_reading_form_is_reached_by_keyboard_with_a_visible_focus(pages: Pages) -> None:
    pages.open_own_goal("emp-dev", "employee", "Support ticket throughput")
    keyboard = ActionChains(pages.driver)  # keys go to the page, whichever element holds the focus
    for _ in range(120):
        focused = pages.driver.switch_to.active_element
        if focused.text == "Record the reading":
            break
        keyboard.send_keys(Keys.TAB).perform()
    assert focused.text == "Record the reading"
    outline = pages.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_the_review_packet_cites_events(pages: Pages) -> None:
    pages.sign_in("emp-dev", "employee")
    pages.driver.find_element(By.PARTIAL_LINK_TEXT, "My review").click()
    pages.wait_for(lambda d: d.find_elements(By.ID, "stage"))
    assert not pages.driver.find_elements(By.ID, "score")  # the demo cycle is active: no rating shown before release
    assert pages.driver.find_elements(By.ID, "not-released")
    assert pages.driver.find_elements(By.CSS_SELECTOR, ".evidence a[href*='#v']")
    pages.check("review")
    packet = pages.driver.print_page()  # the print stylesheet's packet, as Chromium prints it
    (pages.shots / "review-packet.pdf").write_bytes(__import__("base64").b64decode(packet))


def test_a_manager_sees_the_at_risk_goal_first(pages: Pages) -> None:
    pages.sign_in("mgr-ana", "manager")
    rows = pages.driver.find_elements(By.CSS_SELECTOR, "#team-goals tbody tr")
    assert next(r.get_attribute("data-pace") for r in rows) == "at_risk"
    assert "Support ticket throughput" in rows[0].text
    pages.check("manager-home")
    pages.open("/workspace/goals/new")
    Select(pages.driver.find_element(By.ID, "f-owner_id")).select_by_value("emp-eve")  # by name, never typed
    pages.driver.find_element(By.ID, "f-title").send_keys("Be better")
    pages.driver.find_element(By.ID, "f-statement").send_keys("Improve things")
    for field, value in (("kpis-0-id", "x"), ("kpis-0-name", "Something"), ("kpis-0-baseline", "1"),
                         ("kpis-0-target", "2")):
        pages.driver.find_element(By.ID, f"f-{field}").send_keys(value)
    # No click: the findings appear beside the fields as they are typed.
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-findings-for=statement] .finding"))
    assert "specific" in pages.driver.find_element(By.CSS_SELECTOR, "[data-findings-for=statement]").text
    pages.check("manager-draft-with-findings")


def test_hrs_cycle_page_queue_and_a_goal_page_fit_a_phone_and_a_desktop_and_pass_axe(pages: Pages) -> None:
    """At 390 px and 1400 px: axe finds no violation of any impact and the page itself never scrolls sideways."""
    pages.sign_in("hr-iris", "hr")
    pages.open("/workspace/cycles")
    cycle_page = pages.driver.find_element(By.CSS_SELECTOR, "tr[data-status] td a").get_attribute("href")
    pages.open("/workspace/hr/recalibrations")
    assert pages.driver.find_element(By.CSS_SELECTOR, ".effect-summary .score-after").text
    goal_page = pages.driver.find_element(By.CSS_SELECTOR, "section.recalibration h2 a").get_attribute("href")
    try:
        for width in (390, 1400):
            pages.driver.set_window_size(width, 1600)
            for name, url in (("hr-cycle", cycle_page), ("hr-queue-effect", pages.server.url + "/workspace/hr/"
                              "recalibrations"), ("hr-cycles", pages.server.url + "/workspace/cycles"),
                              ("goal-summary", goal_page)):
                pages.driver.get(str(url))
                pages.check(f"{name}-{width}px")
                overflow = pages.driver.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{name} at {width} px overflows by {overflow} px"
    finally:
        pages.driver.set_window_size(1280, 1600)
    assert pages.driver.find_element(By.CSS_SELECTOR, "#summary .sentence").text
    assert pages.driver.find_elements(By.CSS_SELECTOR, "svg.chart line.today")


def test_hr_approves_a_recalibration_and_sees_before_and_after(pages: Pages) -> None:
    pages.sign_in("hr-iris", "hr")
    pages.check("hr-home")
    pages.open("/workspace/hr/recalibrations")
    item = pages.driver.find_element(By.CSS_SELECTOR, "section.recalibration")
    before = item.find_element(By.CSS_SELECTOR, ".before-after td.before").text
    after = item.find_element(By.CSS_SELECTOR, ".before-after td.after").text
    assert (before, after) == ("2", "2.4")
    pages.check("hr-queue")
    goal_path = item.find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href")
    item.find_element(By.NAME, "note").send_keys("Outage confirmed by IT.")  # HR says why (ADR 0029)
    item.find_element(By.XPATH, ".//button[text()='Approve']").click()
    pages.wait_for(lambda d: "No proposal is waiting" in d.page_source)
    pages.driver.get(str(goal_path))
    approved = pages.driver.find_element(By.CSS_SELECTOR, "[data-recalibration=r1][data-status=approved]")
    assert approved.find_element(By.CSS_SELECTOR, "td.before").text == "2"
    assert approved.find_element(By.CSS_SELECTOR, "td.after").text == "2.4"
    pages.check("hr-goal-after-approval")
    pages.open("/")
    fairness = pages.driver.find_element(By.PARTIAL_LINK_TEXT, "Fairness report for").get_attribute("href")
    pages.driver.get(str(fairness))
    assert pages.driver.find_element(By.ID, "fairness-figures").text
    pages.check("hr-fairness")


def test_an_auditor_moves_as_of_back_and_sees_the_old_target(pages: Pages) -> None:
    pages.sign_in("aud-kim", "auditor")
    pages.check("auditor-home")
    pages.open(pages.goal_link("Support ticket throughput"))
    assert pages.driver.find_element(By.CSS_SELECTOR, ".kpi-target[data-kpi=tickets]").text == "18"
    choices = Select(pages.driver.find_element(By.ID, "as-of"))
    labels = [o.text for o in choices.options]
    before_approval = next(i for i, text in enumerate(labels) if "(recalibrated)" in text) - 1
    choices.select_by_index(before_approval)
    pages.driver.find_element(By.CSS_SELECTOR, "form.as-of button").click()
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, ".as-of-note"))
    assert pages.driver.find_element(By.CSS_SELECTOR, ".kpi-target[data-kpi=tickets]").text == "20"
    pages.check("auditor-goal-as-of")
    pages.open("/workspace/trail")
    pages.driver.find_element(By.XPATH, "//button[text()='Verify the trail now']").click()
    pages.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-intact=true]"))
    pages.check("auditor-trail")


def test_a_forged_cross_user_url_answers_404(pages: Pages) -> None:
    pages.sign_in("aud-kim", "auditor")
    someone_elses = pages.goal_link("Customer-service satisfaction")
    pages.sign_in("emp-dev", "employee")
    pages.open(someone_elses)
    assert pages.driver.find_element(By.TAG_NAME, "h1").text == "Nothing here"  # words, no status code
    assert re.search(r'data-code="goal_not_found"', pages.driver.page_source)
    pages.driver.get_log("browser")  # the 404 itself is logged by Chromium as a failed resource: expected here
    pages.driver.save_screenshot(str(pages.shots / "forged-url-404.png"))


def test_the_review_steps_cycles_and_inbox_pages_pass_axe(pages: Pages) -> None:
    pages.sign_in("mgr-ana", "manager")
    link = pages.driver.find_element(By.CSS_SELECTOR, "a[href^='/workspace/reviews/emp-dev?']")
    assert link.text.startswith("Review of ") and link.text != "Review of emp-dev"  # by name (issue 22)
    link.click()
    pages.wait_for(lambda d: d.find_elements(By.ID, "f-decide-band"))
    pages.check("manager-review-decide")
    pages.sign_in("hr-iris", "hr")
    pages.open("/workspace/cycles")
    assert pages.driver.find_element(By.CSS_SELECTOR, "tr[data-status=active] button").text == "Start the review"
    pages.check("hr-cycles")
    pages.sign_in("emp-carla", "employee")
    pages.open("/workspace/inbox")
    assert pages.driver.find_elements(By.CSS_SELECTOR, "li[data-kind=sign_draft] a")
    pages.check("employee-inbox")

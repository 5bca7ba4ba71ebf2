"""Signing in through a real OpenID provider in headless Chromium, against a real `goalengine serve` seeded by
`goalengine demo`: an employee, a manager and HR, found in the demo's directory by their e-mail, each get the
workspace of the role the directory gives them (HR by its group, a manager by having reports), and signing out ends
the session at the provider too.

The provider is tests/oidc_provider.py on loopback, addressed as `localhost` while goalengine is `127.0.0.1`: two
sites, so the browser treats the provider's redirect back as the cross-site navigation it is in production.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_http_lifecycle import GOALENGINE, Server, running_server
from tests.e2e.test_workspace_browser import Pages
from tests.oidc_provider import OpenIdProvider, oidc_environment, running_provider

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def server(provider: OpenIdProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("oidc-workspace")
    environment = oidc_environment(provider, folder / "client-secret", GOALENGINE_OIDC_PERSON_CLAIM="email")
    for person in ("emp-dev", "mgr-ana", "hr-iris"):  # the demo directory's addresses; the provider vouches for them
        provider.users[person] = {"email": f"{person}@demo.example", "email_verified": True, "role": "auditor"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        with running_server(folder) as running:
            provider.redirect_uris.add(f"{running.url}/auth/callback")
            seeded = subprocess.run([str(GOALENGINE), "demo", "--base", running.url], env=running.env, cwd=folder,
                                    capture_output=True, text=True, timeout=120)
            assert seeded.returncode == 0, seeded.stderr
            yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.fail("chromium and chromium-driver are not installed: run `make test`, which installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def sign_in_at_provider(driver: webdriver.Chrome, server: Server, provider: OpenIdProvider, sub: str) -> str:
    """Open the workspace signed out, authorize at the provider as `sub`; the text of the workspace's `.who`."""
    driver.delete_all_cookies()
    driver.get(f"{server.url}/")
    WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith(f"{provider.issuer}/authorize"))
    driver.find_element(By.ID, "sub").send_keys(sub)
    driver.find_element(By.ID, "authorize").click()
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".who"))
    assert driver.current_url == f"{server.url}/"
    return driver.find_element(By.CSS_SELECTOR, ".who").text


def test_an_employee_a_manager_and_hr_sign_in_through_the_provider_in_their_directory_roles(
        browser: webdriver.Chrome, server: Server, provider: OpenIdProvider) -> None:
    # The provider's `role` claim says auditor for each: the directory's roles win (ADR 0037).
    assert sign_in_at_provider(browser, server, provider, "emp-dev") == "Devika Rao (employee)"
    assert browser.find_elements(By.CSS_SELECTOR, "#my-goals [data-pace]")
    assert sign_in_at_provider(browser, server, provider, "mgr-ana") == "Ana Lima (manager)"
    assert browser.find_elements(By.CSS_SELECTOR, "#team-goals tbody tr")
    assert sign_in_at_provider(browser, server, provider, "hr-iris") == "Iris Novak (hr)"
    assert browser.find_elements(By.LINK_TEXT, "Recalibrations")


def test_signing_out_ends_the_session_here_and_at_the_provider(
        browser: webdriver.Chrome, server: Server, provider: OpenIdProvider, tmp_path: Path) -> None:
    shots = tmp_path
    sign_in_at_provider(browser, server, provider, "emp-dev")
    ended = len(provider.ended_sessions)
    browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
    WebDriverWait(browser, 15).until(lambda d: d.current_url.startswith(f"{server.url}/login"))
    assert browser.find_element(By.ID, "oidc-sign-in")
    assert len(provider.ended_sessions) == ended + 1
    assert provider.ended_sessions[-1]["id_token_hint"].count(".") == 2
    Pages(server, browser, shots).check("oidc-signed-out")  # the sign-in page, with the provider's link only
    browser.get(f"{server.url}/")
    WebDriverWait(browser, 15).until(lambda d: d.current_url.startswith(f"{provider.issuer}/authorize"))


def test_local_sign_in_is_refused_when_the_provider_is_configured(server: Server) -> None:
    import httpx

    assert httpx.get(f"{server.url}/login?token=anything", timeout=10).status_code == 400
    assert httpx.post(f"{server.url}/login", data={"token": server.token("hr-iris", "hr")},
                      timeout=10).status_code == 403

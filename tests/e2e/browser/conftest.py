"""The web forms in a real browser: Debian's chromium driven by Playwright against the platform in embedded mode.

Every page visited is checked with axe-core (no serious or critical WCAG 2.2 A/AA violations), saved as a
screenshot, in English and in Welsh, under test-artifacts/screenshots/, and checked to read as words (words.py): no
code, slug or timestamp, no English on a Welsh page, nothing wider than a 375 px screen. LLAIS_WORDS_REPORT=<file>
lists what does not read as words there instead of failing at the first page. Without chromium the tests skip and say how
to install it, unless LLAIS_REQUIRE_BROWSER=1 (CI sets it): then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import open_store
from services.gateway import handlers
from services.gateway.store import GatewayStore
from services.platform import Embedded
from tests.e2e.browser.words import reads_as_words

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long enough password"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium()
    if path is None:
        if os.environ.get("LLAIS_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required here (LLAIS_REQUIRE_BROWSER=1) but is not installed")
        pytest.skip("Debian's chromium is not installed: run `make browser` (Playwright's own download is not used)")
    return {**browser_type_launch_args, "executable_path": path}


class Web:
    """The platform with a team: a manager, two advocates and referrers at two councils."""

    def __init__(self, embedded: Embedded):
        self.embedded = embedded
        self.url = embedded.url
        self.gateway = GatewayStore(open_store("gateway", embedded.settings))
        self.councils = CouncilRegister.load()
        suffix = uuid.uuid4().hex[:6]
        self.manager = self.user("manager", f"manager-{suffix}@provider.example")
        self.advocate = self.user("advocate", f"advocate-{suffix}@provider.example")
        self.second_advocate = self.user("advocate", f"advocate2-{suffix}@provider.example")
        self.cardiff_referrer = self.user("referrer", f"sw-{suffix}@cardiff.example", "CARDIFF")
        self.newport_referrer = self.user("referrer", f"sw-{suffix}@newport.example", "NEWPORT")

    def user(self, role: str, email: str, council: str | None = None) -> str:
        handlers.create_user(self.gateway, self.councils, email, role, council, PASSWORD)
        return email

    def api_key(self, council: str = "CARDIFF") -> str:
        return handlers.create_api_key(self.gateway, self.councils, council)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("web"), bus_prefix=f"web-{uuid.uuid4().hex[:8]}")
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Web(embedded)
    embedded.stop()


@pytest.fixture
def base(web) -> str:
    return web.url


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main button[type=submit]").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Sign out|Allgofnodi)$")).click()


def check_accessibility(page: Page) -> None:
    """axe-core on the page as it stands: no serious or critical violation of WCAG 2.2 A and AA."""
    if page.evaluate("() => typeof window.axe") == "undefined":
        page.evaluate(AXE.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}: " + "; ".join(serious)


def snapshot(page: Page, name: str) -> None:
    """The page checked for accessibility, kept as a screenshot (a test artefact), and checked to read as words in
    its language and to fit a phone's screen (at 375 px, resized there and back if the test looks wider)."""
    check_accessibility(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    language = page.evaluate("() => document.documentElement.lang")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}.png"), full_page=True)
    reads_as_words(page, name)


def in_both_languages(page: Page, name: str, welsh_text: str) -> None:
    """Check and keep the page in English, switch it to Welsh with the page's own link (`welsh_text` must then show),
    check and keep it again, and switch back to English."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    snapshot(page, name)
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("body")).to_contain_text(welsh_text)
    snapshot(page, name)
    page.locator(".llais-language").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

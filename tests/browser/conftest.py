"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

Skipped when Chromium is not installed (a fresh machine with only Python); .ci/run installs it.
Each step's screenshot is saved under the test's temporary directory; a failing test prints where."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KAIDAN_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


class Steps:
    """A page plus a screenshot per named step, kept in the test's temporary directory."""

    def __init__(self, page, folder):
        self.page, self.folder, self.count = page, folder, 0

    def shot(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def open_browser(browser, live_server, tmp_path, request):
    """open_browser(locale) → Steps on a fresh browser context talking to the live server."""
    contexts = []

    def make(locale: str = "zh-CN") -> Steps:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Steps(context.new_page(), tmp_path)

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for context in contexts:
        if failed:
            for page in context.pages:
                page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        context.close()
    if failed:
        print(f"\nscreenshots of the failed browser test: {tmp_path}")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)

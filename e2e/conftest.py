"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

Every page a test opens is watched: JavaScript dialogs, Content-Security-Policy violations, script
errors, console errors and failed loads of stylesheets, scripts, images or fonts fail the test at
teardown. When a test fails, a screenshot of each of its pages is kept in e2e-artifacts/.

The live server runs in this process, so everything it logs through Django's configured handlers is
captured (`server_log`) and checked for link tokens and patient names.
"""

import io
import logging
import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a thread
# with a running loop unless told that this is intended (the test code and the loop never share a
# connection concurrently: the live server answers in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from e2e import factories  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e-artifacts"
AXE_SOURCE = ROOT / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Collects Content-Security-Policy violations from the page's own point of view (per document; Chromium
# also logs each one to the console, which the watcher keeps across navigations). Added through the
# DevTools protocol (add_init_script), which the page's CSP does not govern.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile,
    line: event.lineNumber, sample: event.sample, document: event.documentURI,
  });
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class WatchedPage:
    """What happened on one browser page that a test must not let pass silently."""

    def __init__(self, page):
        self.page = page
        self.dialogs = []
        self.page_errors = []
        self.console_errors = []
        self.csp_violations = []
        self.failed_assets = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_console(self, message):
        # Failed loads are judged by _on_response, which knows the URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _on_response(self, response):
        # Pages answering 4xx can be deliberate (a test of an invalid link); a missing stylesheet, script,
        # image or font never is. Browsers ask for /favicon.ico on their own; the site has none.
        request = response.request
        if response.status >= 400 and request.resource_type != "document" and not request.url.endswith("/favicon.ico"):
            self.failed_assets.append(f"{response.status} {request.resource_type} {request.url}")

    def collect_csp_violations(self):
        try:
            found = self.page.evaluate("() => window.__cspViolations || []")
        except Exception:  # the page is navigating or closed: what it had was collected before
            return self.csp_violations
        for violation in found:
            if violation not in self.csp_violations:
                self.csp_violations.append(violation)
        return self.csp_violations

    def problems(self):
        self.collect_csp_violations()
        csp_console = [text for text in self.console_errors if "Content Security Policy" in text]
        return {
            "dialogs": self.dialogs,
            "script errors": self.page_errors,
            "CSP violations": self.csp_violations + csp_console,
            "console errors": [text for text in self.console_errors if text not in csp_console],
            "failed loads": self.failed_assets,
        }


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (installs Debian's chromium).")
    from django.db import connections

    # Django keeps its connections in a context-local (asgiref.local.Local). Starting Playwright's sync API
    # leaves this thread in another contextvars context, where Django would make new connection objects
    # that know nothing of the test database's state (e.g. what serialized rollback restores). Put the
    # original objects back.
    originals = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        # launch() gives every run a fresh, temporary profile directory.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for alias, connection in originals.items():
            connections[alias] = connection
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(viewport=..., **context options) -> WatchedPage in a fresh browser context (own cookies)."""
    contexts, watched = [], []

    def _open(viewport=DESKTOP, **options):
        context = browser.new_context(base_url=live_server.url, viewport=viewport, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        watch = WatchedPage(page)
        watched.append(watch)
        return watch

    yield _open

    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for number, watch in enumerate(watched):
            try:
                watch.page.screenshot(path=str(ARTIFACTS / f"{name}-{number}.png"), full_page=True)
            except Exception as error:  # keep the original failure visible
                print(f"screenshot failed: {error}")
    problems = {}
    for number, watch in enumerate(watched):
        for kind, items in watch.problems().items():
            if items:
                problems[f"page {number} {kind}"] = items
    for context in contexts:
        context.close()
    if not failed:
        assert not problems, f"The browser reported problems: {problems}"


@pytest.fixture
def page(open_page):
    return open_page().page


@pytest.fixture
def phone_page(open_page):
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True).page


@pytest.fixture(scope="session")
def axe_source():
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE} is missing: run `make system-deps` (npm ci in e2e/).")
    return AXE_SOURCE.read_text()


@pytest.fixture
def check_accessibility(axe_source):
    """check_accessibility(page) -> list of WCAG 2.2 AA violations found by axe-core on the current page."""

    def _check(page):
        # The CSP forbids <script> injection (add_script_tag); evaluating through DevTools is allowed.
        page.evaluate(axe_source)
        violations = page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary),
                }));
            }""",
            WCAG_TAGS,
        )
        return violations

    return _check


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


@pytest.fixture
def server_log():
    """Everything written by the configured log handlers while the test runs (the live server included)."""
    buffer = io.StringIO()
    handlers = set()
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            # The project's handlers (settings.LOGGING), not pytest's own capture handlers.
            if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest"):
                handlers.add(handler)
    originals = {handler: handler.stream for handler in handlers}
    for handler, stream in originals.items():
        handler.setStream(_Tee(stream, buffer))
    yield buffer
    for handler, stream in originals.items():
        handler.setStream(stream)


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """The live server shares this process's page cache; a page cached by an earlier test must not show."""
    from django.core.cache import caches

    caches["pages"].clear()


@pytest.fixture
def clinic(live_server, django_db_serialized_rollback, server_log):
    """Published content, a treatment with a reading list, staff users and a patient session with its link.

    Serialized rollback: the staff groups made by a data migration are back for every test, although the
    live server's tests empty the database after each one. Afterwards, the server's log of the whole test
    must not hold the patient's link token, name or reference."""
    clinic = factories.make_clinic()
    yield clinic
    log = server_log.getvalue()
    secrets_in_log = [
        secret for secret in (clinic.token, clinic.patient.display_name, clinic.patient.reference) if secret in log
    ]
    assert secrets_in_log == [], "the server logged a link token or a patient's name"

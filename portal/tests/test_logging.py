"""No link token and no staff query string (names typed into a search) reaches a log line (portal.logging).

Through the handlers settings.LOGGING configures; gunicorn's access log is checked on a real server in
e2e/test_attacks.py."""

import io
import logging

import pytest

from portal.logging import redact

NAME = "Jane+Quinnell"  # as a browser sends "Jane Quinnell" in a query string


@pytest.fixture
def configured_output():
    """What the handlers of settings.LOGGING write while the test runs."""
    buffer = io.StringIO()
    handlers = {handler for name in ("", "django") for handler in logging.getLogger(name).handlers}
    handlers = {  # the project's handlers, not pytest's capture handlers
        handler
        for handler in handlers
        if isinstance(handler, logging.StreamHandler) and not type(handler).__module__.startswith("_pytest")
    }
    assert handlers, "settings.LOGGING configures no stream handler"
    originals = {handler: handler.setStream(buffer) for handler in handlers}
    yield buffer
    for handler, stream in originals.items():
        handler.setStream(stream)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /admin/reading/patient/?q=Jane+Quinnell HTTP/1.1" 200',
         '"GET /admin/reading/patient/?[redacted] HTTP/1.1" 200'),
        ("GET /staff/?from=2026-03-01&q=Quinnell", "GET /staff/?[redacted]"),
        ("GET /staff?q=Quinnell", "GET /staff?[redacted]"),
        ('"https://portal.example.org/admin/reading/patient/?q=Jane" "Mozilla"',
         '"https://portal.example.org/admin/reading/patient/?[redacted]" "Mozilla"'),
        ("GET /p/AbC-12_xyz/ HTTP/1.1", "GET /p/[redacted]/ HTTP/1.1"),
        ("GET /p/AbC-12_xyz/?utm=mail HTTP/1.1", "GET /p/[redacted]/?utm=mail HTTP/1.1"),
        ("GET /search/?q=spravato HTTP/1.1", "GET /search/?q=spravato HTTP/1.1"),  # public: kept, useful
        ("GET /administration/?q=x", "GET /administration/?q=x"),
        ("GET /admin/login/ HTTP/1.1", "GET /admin/login/ HTTP/1.1"),
    ],
)  # fmt: skip
def test_redact_drops_staff_query_strings_and_link_tokens(line, expected):
    assert redact(line) == expected


def test_runserver_access_lines_lose_staff_query_strings(configured_output):
    # Django's development server logs each request like this (django.core.servers.basehttp).
    logging.getLogger("django.server").info(
        '"%s" %s %s', "GET /admin/reading/patient/?q=Jane+Quinnell HTTP/1.1", 200, 5120
    )
    output = configured_output.getvalue()
    assert '"GET /admin/reading/patient/?[redacted] HTTP/1.1" 200 5120' in output
    assert "Quinnell" not in output


def test_tracebacks_lose_tokens_and_staff_query_strings_too(configured_output):
    try:
        raise ValueError(f"bad request /p/SeCrEtToKeN123/ from /staff/?q={NAME}")
    except ValueError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", "/staff/")
    output = configured_output.getvalue()
    assert "Internal Server Error: /staff/" in output
    assert "Traceback" in output
    assert "SeCrEtToKeN123" not in output
    assert "Quinnell" not in output

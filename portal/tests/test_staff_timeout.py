"""Staff are logged out after 15 minutes without a request (portal.middleware.StaffIdleTimeoutMiddleware),
tested through the real stack: the admin login form, then requests with the session cookie."""

import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.content.tests.governance_helpers import PASSWORD, make_staff
from portal.middleware import LAST_ACTIVITY_KEY


@pytest.fixture
def client_logged_in(db):
    make_staff("nina.nurse", "Clinic staff")
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "nina.nurse", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    return client


def idle_for(client, seconds):
    """As if the last request had come `seconds` ago."""
    session = client.session
    session[LAST_ACTIVITY_KEY] = time.time() - seconds
    session.save()


def test_the_timeout_is_fifteen_minutes():
    assert settings.STAFF_IDLE_TIMEOUT_SECONDS == 15 * 60


def test_a_request_within_fifteen_minutes_keeps_staff_logged_in_and_restarts_the_clock(client_logged_in):
    idle_for(client_logged_in, 14 * 60)
    assert client_logged_in.get(reverse("admin:index")).status_code == 200
    assert time.time() - client_logged_in.session[LAST_ACTIVITY_KEY] < 60


def test_after_fifteen_idle_minutes_the_next_request_is_logged_out(client_logged_in):
    idle_for(client_logged_in, 15 * 60 + 1)
    response = client_logged_in.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert SESSION_KEY not in client_logged_in.session
    # Still logged out afterwards: logging in again is the only way back.
    assert client_logged_in.get(reverse("admin:index")).status_code == 302


@override_settings(STAFF_IDLE_TIMEOUT_SECONDS=60)
def test_the_timeout_follows_the_setting(client_logged_in):
    idle_for(client_logged_in, 61)
    assert client_logged_in.get(reverse("admin:index")).status_code == 302


def test_visitors_without_a_login_are_not_affected(db):
    client = Client()
    assert client.get(reverse("home")).status_code == 200
    assert LAST_ACTIVITY_KEY not in client.session


def _writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_second_staff_request_within_a_minute_writes_nothing(client_logged_in):
    """The last activity is saved at most once a minute, so most staff requests do not save the session."""
    idle_for(client_logged_in, 5)
    with CaptureQueriesContext(connection) as queries:
        assert client_logged_in.get(reverse("admin:index")).status_code == 200
    assert _writes(queries.captured_queries) == []


def test_the_last_activity_is_saved_again_after_a_minute(client_logged_in):
    idle_for(client_logged_in, 61)
    with CaptureQueriesContext(connection) as queries:
        assert client_logged_in.get(reverse("admin:index")).status_code == 200
    assert any("django_session" in sql for sql in _writes(queries.captured_queries))
    assert time.time() - client_logged_in.session[LAST_ACTIVITY_KEY] < 5


def test_idle_logout_still_works_when_the_last_activity_was_not_rewritten(client_logged_in):
    """A request within the minute leaves the stored time alone; idleness still counts from it."""
    idle_for(client_logged_in, 30)
    assert client_logged_in.get(reverse("admin:index")).status_code == 200
    idle_for(client_logged_in, 15 * 60 + 1)
    assert client_logged_in.get(reverse("admin:index")).status_code == 302

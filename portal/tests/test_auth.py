"""The admin login's throttle and the audit of failed logins (portal.auth), through the real admin login form."""

import threading
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.content.tests.governance_helpers import PASSWORD, make_staff

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-Zebra-314"
LOCKED_MESSAGE = "Too many failed attempts to log in"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nurse(db):
    return make_staff("nina.nurse", "Clinic staff")


def log_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client):
    return SESSION_KEY in client.session


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused_with_a_clear_message(
    client, nurse, settings
):
    assert settings.LOGIN_MAX_FAILURES_PER_USERNAME == 5
    assert settings.LOGIN_LOCKOUT_SECONDS == 15 * 60
    wrong = [log_in(client, "nina.nurse", WRONG) for _ in range(5)]
    assert [response.status_code for response in wrong] == [200] * 5
    assert all("Please enter the correct username and password" in r.content.decode() for r in wrong)

    right = log_in(client, "nina.nurse", PASSWORD)

    assert right.status_code == 200
    assert not logged_in(client)
    page = right.content.decode()
    assert LOCKED_MESSAGE in page
    assert "try again in 15 minutes" in page
    assert "Please enter the correct username and password" not in page


def test_the_lock_holds_for_the_account_from_any_address_and_for_unknown_user_names_alike(client, nurse):
    for number in range(5):
        log_in(Client(), "nina.nurse", WRONG, address=f"198.51.100.{number + 1}")
        log_in(Client(), "nobody.here", WRONG, address=f"198.51.100.{number + 1}")

    assert LOCKED_MESSAGE in log_in(client, "nina.nurse", PASSWORD, address="192.0.2.99").content.decode()
    assert LOCKED_MESSAGE in log_in(client, "nobody.here", WRONG, address="192.0.2.99").content.decode()
    # Another account from the same fresh address is not affected.
    make_staff("olga.other", "Clinic staff")
    assert log_in(client, "olga.other", PASSWORD, address="192.0.2.99").status_code == 302


def test_user_names_differing_only_in_case_count_together(client, nurse):
    for name in ("nina.nurse", "Nina.Nurse", "NINA.NURSE", "nina.NURSE", "Nina.nurse"):
        log_in(client, name, WRONG)
    assert LOCKED_MESSAGE in log_in(client, "nina.nurse", PASSWORD).content.decode()


def test_twenty_failures_from_one_address_lock_that_address_for_every_account(client, nurse, settings):
    assert settings.LOGIN_MAX_FAILURES_PER_ADDRESS == 20
    for number in range(20):
        log_in(client, f"guess-{number}", WRONG)

    refused = log_in(Client(), "nina.nurse", PASSWORD)
    assert LOCKED_MESSAGE in refused.content.decode()
    elsewhere = Client()
    assert log_in(elsewhere, "nina.nurse", PASSWORD, address="192.0.2.10").status_code == 302
    assert logged_in(elsewhere)


def test_after_the_lockout_the_right_password_logs_in(client, nurse, settings):
    settings.LOGIN_LOCKOUT_SECONDS = 2
    for _ in range(5):
        log_in(client, "nina.nurse", WRONG)
    locked = log_in(client, "nina.nurse", PASSWORD)
    assert "try again in 1 minute." in locked.content.decode()

    time.sleep(3.1)  # the database cache stores expiry times in whole seconds

    response = log_in(client, "nina.nurse", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_successful_login_restarts_the_count_for_the_account(client, nurse):
    for _ in range(4):
        log_in(client, "nina.nurse", WRONG)
    assert log_in(client, "nina.nurse", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "nina.nurse", WRONG)
    assert log_in(client, "nina.nurse", PASSWORD).status_code == 302


def test_staff_logging_in_from_one_clinic_address_do_not_lock_each_other_out(nurse):
    # 30 successful logins from one address (the clinic's NAT) within the window, past the 20 failures allowed.
    for _ in range(30):
        client = Client()
        assert log_in(client, "nina.nurse", PASSWORD, address="203.0.113.200").status_code == 302


def test_failed_logins_are_in_the_audit_log_with_the_user_name_and_never_the_password(client, nurse):
    log_in(client, "nina.nurse", WRONG)
    log_in(client, "no.such.user", WRONG)

    failed = AuditEvent.objects.filter(action="login.failed").order_by("pk")
    assert [event.subject for event in failed] == ["username=nina.nurse", "username=no.such.user"]
    assert all(event.user is None and event.username == "" for event in failed)
    everything = str(list(AuditEvent.objects.values()))
    assert WRONG not in everything


def test_the_lockout_itself_is_in_the_audit_log_once(client, nurse):
    for _ in range(5):
        log_in(client, "nina.nurse", WRONG)
    for _ in range(3):
        log_in(client, "nina.nurse", PASSWORD)  # refused without a password check: no further failures

    assert AuditEvent.objects.filter(action="login.failed").count() == 5
    locked = AuditEvent.objects.get(action="login.locked")
    assert locked.subject == "username=nina.nurse (locked: username)"


def test_an_empty_form_is_not_counted(client, nurse):
    for _ in range(10):
        response = client.post(reverse("admin:login"), {"username": "nina.nurse", "password": ""})
        assert "This field is required" in response.content.decode()
    assert log_in(client, "nina.nurse", PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_guesses_get_no_more_password_checks_than_the_limit():
    """16 guesses at once, each on its own connection (as on several app servers): 5 are checked, 11 refused."""
    make_staff("nina.nurse", "Clinic staff")
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    pages, errors = [], []

    def worker(number):
        try:
            barrier.wait()
            pages.append(log_in(Client(), "nina.nurse", WRONG, address=f"198.51.100.{number + 1}").content.decode())
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(LOCKED_MESSAGE in page for page in pages) == threads_count - 5
    assert AuditEvent.objects.filter(action="login.failed").count() == 5

"""The audit log's admin list says whether the hash chain verifies and the database guard is in place."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from portal.audit.guard import guard_lifted
from portal.content.tests.governance_helpers import as_user, make_staff

CHANGELIST = "admin:audit_auditevent_changelist"


@pytest.fixture
def auditor(db):
    user = make_staff("ada.auditor")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="audit", codename="view_auditevent"))
    return as_user(user)


def test_the_list_says_the_chain_is_intact_and_the_guard_in_place(events, auditor):
    html = auditor.get(reverse(CHANGELIST)).content.decode()

    assert '<li class="success">Hash chain verified: 3 events, chain intact.</li>' in html
    assert "Database guard in place" in html


def test_the_list_names_the_first_broken_link(events, auditor):
    with guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET username = 'someone.else' WHERE id = %s", [events[1].pk])

    html = auditor.get(reverse(CHANGELIST)).content.decode()

    assert f'<li class="error">Hash chain broken at event id={events[1].pk} at ' in html
    assert "Hash chain verified" not in html


def test_the_list_warns_while_the_guard_is_missing(events, auditor):
    with guard_lifted(connection):
        html = auditor.get(reverse(CHANGELIST)).content.decode()

    assert "The database guard is missing (audit_auditevent_refuse_" in html
    assert "Database guard in place" not in html


def test_on_a_long_log_the_list_checks_the_newest_events_and_names_the_command(events, auditor, monkeypatch):
    monkeypatch.setattr("portal.audit.admin.VERIFY_NEWEST", 2)

    html = auditor.get(reverse(CHANGELIST)).content.decode()

    assert "Hash chain verified for the newest 2 of 3 events: intact." in html
    assert "<code>manage.py verify_audit_log</code> checks them all" in html


def test_on_a_long_log_the_list_still_finds_a_break_among_the_newest(events, auditor, monkeypatch):
    monkeypatch.setattr("portal.audit.admin.VERIFY_NEWEST", 2)
    with guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [events[2].pk])

    html = auditor.get(reverse(CHANGELIST)).content.decode()

    assert f"Hash chain broken at event id={events[2].pk} at " in html

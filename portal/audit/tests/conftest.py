"""Fixtures of the audit-log tests: a nurse, requests as the portal receives them, events written by audit_record."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from portal.audit.services import audit_record
from portal.content.tests.governance_helpers import make_staff


def request_as(user=None, **meta):
    request = RequestFactory().get("/staff/", **{"REMOTE_ADDR": "10.0.0.7", **meta})
    request.user = user or AnonymousUser()
    return request


def record(user=None, action="dashboard.view", **fields):
    return audit_record(request=request_as(user), action=action, **fields)


def assert_refused_by_the_database(attempt):
    """`attempt()` fails at the database (in a savepoint, so the test's transaction goes on) with a clear message."""
    with pytest.raises(IntegrityError, match="audit_auditevent is append-only") as refused, transaction.atomic():
        attempt()
    return refused.value


@pytest.fixture
def nurse(db):
    return make_staff("nina.nurse", "Clinic staff")


@pytest.fixture
def events(nurse):
    """Three events, the middle one with filters and a row count."""
    return [
        record(nurse, subject="session=1"),
        record(nurse, filters={"from": "2026-11-27", "to": "2026-11-28"}, row_count=12),
        record(nurse, action="session.view", subject="session=2"),
    ]

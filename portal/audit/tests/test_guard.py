"""The database itself refuses to rewrite the audit log (triggers of migration 0003), on SQLite and PostgreSQL.

Every route around the model's own refusals fails at the database with an IntegrityError that says why:
`_base_manager`, a plain QuerySet, an upsert (`bulk_create(update_conflicts=True)`), `_raw_delete`, raw SQL.
The one update allowed is Django's on_delete=SET_NULL when a staff user is deleted.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, models

from portal.audit.guard import guard_lifted, guard_missing
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_chain_verify
from portal.audit.tests.conftest import assert_refused_by_the_database, record
from portal.content.tests.governance_helpers import make_staff

# A new value for every column but user_id. A column added to AuditEvent must be added here, and to the
# SQLite trigger's list of unchanged columns (PostgreSQL's compares whole rows).
NEW_VALUES = {
    "id": 999_999,
    "username": "someone.else",
    "action": "nothing.happened",
    "subject": "session=0",
    "filters": {"rewritten": True},
    "row_count": 0,
    "ip_address": "192.0.2.1",
    "created_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    "previous_hash": "f" * 64,
    "hash": "e" * 64,
}


def plain_queryset():
    """AuditEvent rows without the model's own guard (AuditEventQuerySet)."""
    return models.QuerySet(AuditEvent)


def test_the_guard_is_in_place_after_the_migrations(db):
    assert guard_missing(connection) == []


def test_every_column_is_covered():
    columns = {field.name for field in AuditEvent._meta.concrete_fields} - {"user"}
    assert set(NEW_VALUES) == columns


@pytest.mark.parametrize("column", sorted(NEW_VALUES))
def test_changing_any_column_is_refused(events, column):
    event = events[1]
    assert_refused_by_the_database(lambda: plain_queryset().filter(pk=event.pk).update(**{column: NEW_VALUES[column]}))
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert audit_chain_verify().intact


def test_update_through_the_base_manager_is_refused(events):
    error = assert_refused_by_the_database(lambda: AuditEvent._base_manager.update(action="rewritten"))
    assert "UPDATE refused" in str(error)
    assert not AuditEvent.objects.filter(action="rewritten").exists()


def test_delete_through_a_plain_queryset_is_refused(events):
    error = assert_refused_by_the_database(lambda: plain_queryset().filter(pk=events[0].pk).delete())
    assert "DELETE refused" in str(error)
    assert AuditEvent.objects.count() == 3


def test_raw_delete_is_refused(events):
    assert_refused_by_the_database(lambda: AuditEvent.objects.all()._raw_delete(connection.alias))
    assert AuditEvent.objects.count() == 3


def test_an_upsert_over_an_existing_event_is_refused(events):
    event = events[0]
    forged = AuditEvent(
        pk=event.pk,
        username="someone.else",
        action="rewritten",
        created_at=event.created_at,
        previous_hash=event.previous_hash,
        hash=event.hash,
    )

    assert_refused_by_the_database(
        lambda: plain_queryset().bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["username", "action"]
        )
    )
    event.refresh_from_db()
    assert (event.username, event.action) == ("nina.nurse", "dashboard.view")


def test_raw_sql_is_refused_too(events):
    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [events[0].pk])

    # Setting user_id to NULL is allowed only when nothing else changes with it.
    assert_refused_by_the_database(
        lambda: raw("UPDATE audit_auditevent SET user_id = NULL, action = 'x' WHERE id = %s")
    )
    assert_refused_by_the_database(lambda: raw("DELETE FROM audit_auditevent WHERE id = %s"))
    assert audit_chain_verify().intact


def test_pointing_an_event_at_another_user_is_refused(events):
    other = make_staff("oscar.other")
    assert_refused_by_the_database(lambda: plain_queryset().filter(pk=events[0].pk).update(user=other))
    assert AuditEvent.objects.filter(user=other).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused(events):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # else the pending foreign-key checks refuse it first
            cursor.execute("TRUNCATE audit_auditevent")

    error = assert_refused_by_the_database(truncate)
    assert "TRUNCATE refused" in str(error)
    assert AuditEvent.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="INSERT OR REPLACE is SQLite's")
def test_insert_or_replace_is_refused(events):
    """SQLite's REPLACE deletes the row it collides with without firing DELETE triggers."""
    event = events[0]

    def replace():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO audit_auditevent"
                " (id, username, action, subject, filters, created_at, previous_hash, hash)"
                " VALUES (%s, 'someone.else', 'rewritten', '', '{}', %s, %s, %s)",
                [event.pk, event.created_at, "d" * 64, "c" * 64],
            )

    error = assert_refused_by_the_database(replace)
    assert "INSERT refused" in str(error)
    event.refresh_from_db()
    assert event.action == "dashboard.view"


def test_deleting_a_user_sets_their_events_user_to_null_and_keeps_the_chain(events, nurse):
    nurse.delete()  # Django's on_delete=SET_NULL: an UPDATE of user_id alone

    assert not get_user_model().objects.filter(username="nina.nurse").exists()
    assert set(AuditEvent.objects.values_list("user", "username")) == {(None, "nina.nurse")}
    assert audit_chain_verify().intact


def test_the_guard_lifted_comes_back_and_a_failure_inside_restores_it(events):
    with guard_lifted(connection):
        assert guard_missing(connection)
        plain_queryset().filter(pk=events[0].pk).update(action="changed")
    assert guard_missing(connection) == []
    assert AuditEvent.objects.filter(action="changed").count() == 1

    with pytest.raises(RuntimeError), guard_lifted(connection):
        raise RuntimeError("a failure inside")
    assert guard_missing(connection) == []
    assert_refused_by_the_database(lambda: plain_queryset().update(action="again"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_empties_the_log_and_leaves_the_guard_in_place():
    """Django's flush (also run after each transactional test) lifts the guard only while it empties the tables."""
    record(subject="session=1")

    call_command("flush", interactive=False, verbosity=0)

    assert not AuditEvent.objects.exists()
    assert guard_missing(connection) == []
    record(subject="session=2")
    assert_refused_by_the_database(lambda: plain_queryset().update(action="rewritten"))
    assert_refused_by_the_database(lambda: plain_queryset().delete())

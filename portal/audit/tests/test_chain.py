"""Each audit event is chained to the one before by its hash; `verify_audit_log` finds the first broken link.

Concurrent appends are serialized (an advisory lock on PostgreSQL, IMMEDIATE transactions on SQLite), so
16 threads writing at once still leave one intact chain.
"""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models

from portal.audit.chain import GENESIS, event_hash
from portal.audit.guard import guard_lifted
from portal.audit.models import AuditEvent, AuditLogIsAppendOnly
from portal.audit.selectors import audit_chain_verify
from portal.audit.tests.conftest import record

ROOT = Path(__file__).resolve().parents[3]
THREADS = 16
EVENTS_PER_THREAD = 10


def verify_output():
    out = io.StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


def tamper(sql, params):
    """Change the table behind the guard's back, as someone with the database's owner rights could."""
    with guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_event_stores_the_hash_of_the_one_before_and_its_own(events):
    rows = list(AuditEvent.objects.order_by("pk"))

    assert [row.previous_hash for row in rows] == [GENESIS, rows[0].hash, rows[1].hash]
    for row in rows:
        row.refresh_from_db()  # the hash covers the values as the database gives them back
        assert row.hash == event_hash(row.previous_hash, vars(row))
    assert len({row.hash for row in rows}) == 3


def test_the_hash_leaves_out_the_user_link_and_covers_every_other_field(events):
    event = AuditEvent.objects.order_by("pk").values().first()
    assert event_hash(event["previous_hash"], event | {"user_id": None}) == event["hash"]
    for field, other in [("username", "x"), ("action", "x"), ("subject", "x"), ("filters", {"a": "b"})]:
        assert event_hash(event["previous_hash"], event | {field: other}) != event["hash"]
    assert event_hash("1" * 64, event) != event["hash"]


def test_an_intact_log_verifies(events):
    report = audit_chain_verify()
    assert report.intact and report.events == 3
    assert verify_output().splitlines()[0] == "OK: 3 events, chain intact"


def test_an_empty_log_verifies(db):
    assert verify_output() == "OK: 0 events, chain intact\n"


def test_a_changed_event_is_the_first_broken_link(events):
    middle = events[1]
    tamper("UPDATE audit_auditevent SET row_count = 3 WHERE id = %s", [middle.pk])

    report = audit_chain_verify()

    assert not report.intact and report.events == 2
    broken = report.first_break
    assert broken.event_id == middle.pk and broken.created_at == middle.created_at
    assert "was changed" in broken.problem
    assert broken.found == middle.hash and broken.expected != middle.hash
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit_log")
    message = str(failed.value)
    assert f"event id={middle.pk} at {middle.created_at.isoformat()}" in message
    assert f"expected {broken.expected}, found {middle.hash}" in message
    assert message.startswith(f"Chain broken after 1 intact event: event id={middle.pk}")


def test_a_removed_event_breaks_the_link_of_the_next_one(events):
    first, removed, last = events
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [removed.pk])

    broken = audit_chain_verify().first_break

    assert broken.event_id == last.pk
    assert (broken.expected, broken.found) == (first.hash, removed.hash)
    assert "does not match the event before it" in broken.problem


def test_an_event_slipped_in_without_the_model_breaks_the_chain(events):
    # A plain QuerySet inserts without chaining: the insert is allowed (it rewrites nothing), the chain shows it.
    models.QuerySet(AuditEvent).bulk_create([AuditEvent(username="x", action="forged", previous_hash="", hash="")])
    broken = audit_chain_verify().first_break
    assert broken.event_id == AuditEvent.objects.get(action="forged").pk


def test_the_model_refuses_bulk_create_which_would_not_chain(db):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_create([AuditEvent(username="x", action="y")])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_threads_appending_at_once_leave_one_intact_chain():
    barrier = threading.Barrier(THREADS)
    errors = []

    def staff_member(number):
        try:
            barrier.wait(timeout=30)
            for count in range(EVENTS_PER_THREAD):
                record(action="dashboard.view", subject=f"thread={number} event={count}")
        except Exception as error:  # reported below; a thread's exception would otherwise vanish
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=staff_member, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert AuditEvent.objects.count() == THREADS * EVENTS_PER_THREAD
    report = audit_chain_verify()
    assert report.intact, report.first_break
    assert report.events == THREADS * EVENTS_PER_THREAD


def _command_environment():
    """The environment of a `manage.py` run against this test database."""
    settings = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}
    if connection.vendor == "sqlite":
        return env | {"DATABASE_URL": "", "SQLITE_PATH": settings["NAME"]}
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    url = f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    return env | {"DATABASE_URL": url}


def run_verify():
    return subprocess.run(
        [sys.executable, "manage.py", "verify_audit_log"],
        cwd=ROOT,
        env=_command_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_exits_0_when_intact_and_1_at_the_first_broken_link():
    events = [record(subject=f"session={number}") for number in range(4)]

    intact = run_verify()
    assert (intact.returncode, intact.stdout.splitlines()[0]) == (0, "OK: 4 events, chain intact")

    tamper("UPDATE audit_auditevent SET subject = 'session=99' WHERE id = %s", [events[2].pk])
    broken = run_verify()

    assert broken.returncode == 1
    assert f"event id={events[2].pk} at {events[2].created_at.isoformat()}" in broken.stderr
    assert f"found {events[2].hash}" in broken.stderr
    assert "OK:" not in broken.stdout


def test_the_command_fails_while_the_guard_is_missing(events):
    with guard_lifted(connection), pytest.raises(CommandError, match="database guard is missing"):
        call_command("verify_audit_log")


def test_checking_only_the_newest_events_still_checks_their_link_to_the_one_before(events):
    first, second, _ = events
    assert audit_chain_verify(newest=2).partial and audit_chain_verify(newest=2).events == 2
    assert not audit_chain_verify(newest=3).partial and audit_chain_verify(newest=3).intact

    tamper("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [first.pk])
    assert audit_chain_verify(newest=2).intact  # the oldest event is outside the newest two
    tamper("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["a" * 64, first.pk])
    assert audit_chain_verify(newest=2).first_break.event_id == second.pk

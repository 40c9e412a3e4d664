"""The database's own guard of the audit log: triggers (migration 0003) refusing UPDATE and DELETE.

The only UPDATE they let through is the one Django makes for `on_delete=SET_NULL` when a staff user is
deleted: user_id set to NULL, nothing else changed. On PostgreSQL they also refuse TRUNCATE; on SQLite
an INSERT that would replace an existing row (INSERT OR REPLACE deletes without firing DELETE triggers).

SQLite drops a table's triggers when a migration rebuilds the table (most AlterField/AddField on
SQLite): a later migration of AuditEvent must create them again. `guard_missing` finds that, and
`verify_audit_log` and the admin report it.
"""

from contextlib import contextmanager

from django.db import transaction

TABLE = "audit_auditevent"
TRIGGERS = {
    "sqlite": ("audit_auditevent_refuse_update", "audit_auditevent_refuse_delete", "audit_auditevent_refuse_replace"),
    "postgresql": ("audit_auditevent_refuse_update_delete", "audit_auditevent_refuse_truncate"),
}


def _active_triggers(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
        return {name for (name,) in cursor.fetchall()}


def guard_missing(connection):
    """Names of the guard's triggers that are missing or disabled on this database (empty: guarded)."""
    expected = TRIGGERS.get(connection.vendor)
    if expected is None:
        return [f"no guard for {connection.vendor}"]
    active = _active_triggers(connection)
    return [name for name in expected if name not in active]


@contextmanager
def guard_lifted(connection):
    """Inside one transaction: the guard off, then back exactly as it was before the transaction commits.

    Only for wiping a whole database (`flush`, which the test suite runs between transactional tests) and
    for tests that damage a row on purpose. Lifting the guard is DDL: whoever may run it could drop the
    triggers anyway. If anything fails, the rollback restores the triggers too (DDL is transactional on
    SQLite and PostgreSQL).
    """
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [name for name in TRIGGERS["postgresql"] if name in _active_triggers(connection)]
            # ALTER TABLE refuses while this transaction has deferred checks pending (its own inserts' foreign
            # keys): run them now, then defer again (Django's foreign keys are all INITIALLY DEFERRED).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name in names:
                cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER "{name}"')
            yield
            for name in names:
                cursor.execute(f'ALTER TABLE "{TABLE}" ENABLE TRIGGER "{name}"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _, sql in saved:
                cursor.execute(sql)
        else:
            yield

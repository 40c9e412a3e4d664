"""The database refuses to change or delete audit events, whichever way the statement comes (portal.audit.guard).

Allowed: the UPDATE Django makes for on_delete=SET_NULL when a user is deleted (user_id set to NULL, every
other column unchanged). Refused with an IntegrityError: every other UPDATE, every DELETE, TRUNCATE
(PostgreSQL), and an INSERT that would replace an existing row (SQLite's INSERT OR REPLACE deletes
without firing DELETE triggers).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER audit_auditevent_refuse_update
    BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW
    WHEN NOT (
        NEW.user_id IS NULL
        AND NEW.id IS OLD.id
        AND NEW.username IS OLD.username
        AND NEW.action IS OLD.action
        AND NEW.subject IS OLD.subject
        AND NEW.filters IS OLD.filters
        AND NEW.row_count IS OLD.row_count
        AND NEW.ip_address IS OLD.ip_address
        AND NEW.created_at IS OLD.created_at
        AND NEW.previous_hash IS OLD.previous_hash
        AND NEW.hash IS OLD.hash
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused (the only change allowed is user_id set to NULL when the user is deleted)');
    END
    """,
    """
    CREATE TRIGGER audit_auditevent_refuse_delete
    BEFORE DELETE ON audit_auditevent
    FOR EACH ROW
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused');
    END
    """,
    """
    CREATE TRIGGER audit_auditevent_refuse_replace
    BEFORE INSERT ON audit_auditevent
    FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM audit_auditevent WHERE id = NEW.id OR previous_hash = NEW.previous_hash)
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: INSERT refused, it would replace an existing event (same id or previous_hash)');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_replace",
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_update",
]

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION audit_auditevent_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- to_jsonb(row) covers every column, including any added later.
        IF TG_OP = 'UPDATE' THEN
            IF NEW.user_id IS NULL AND to_jsonb(NEW) - 'user_id' = to_jsonb(OLD) - 'user_id' THEN
                RETURN NEW;
            END IF;
        END IF;
        RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Audit events are never changed or deleted; only user_id is set to NULL when the user is deleted.';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
    """
    CREATE TRIGGER audit_auditevent_refuse_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_refuse_update_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
]

SQL = {
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_REVERSE),
}


def _run(schema_editor, direction):
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise RuntimeError(f"The audit log's append-only guard has no triggers for {vendor}; add them here.")
    for statement in SQL[vendor][direction]:
        schema_editor.execute(statement, params=None)


def create_triggers(apps, schema_editor):
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]

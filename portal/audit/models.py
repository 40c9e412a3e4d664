"""The append-only, hash-chained log of staff access to patient data."""

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone

from portal.audit import chain, values


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event through the ORM."""


# Serializes appends on PostgreSQL (held to the end of the inserting transaction): two concurrent
# inserts would otherwise both chain to the same last event. SQLite needs none: the portal's
# transactions are IMMEDIATE (settings.py), so a writer holds the database's write lock from BEGIN.
CHAIN_LOCK_KEY = int.from_bytes(b"auditlog", "big")


def _last_hash(connection):
    """The hash of the last event, for the next one to chain to; on PostgreSQL, the chain's lock taken first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        # Raw SQL: this runs on every page that shows patient data, and the ORM's query building costs more.
        cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return row[0] if row else chain.GENESIS


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting the link to a deleted user (on_delete=SET_NULL goes
        # through QuerySet.update). The copy of the user name stays.
        if kwargs.keys() == {"user"} and kwargs["user"] is None:
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def bulk_create(self, objs, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events are added one by one (audit_record), each chained to the last.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """Append-only log of staff access to patient data. Survives the deletion of the user.

    Guarded twice: the model refuses updates and deletes (save of an existing row, delete,
    QuerySet.update/delete/bulk_*), and database triggers (migration 0003) refuse them whatever the
    route (`_base_manager`, a plain QuerySet, upserts, `_raw_delete`, raw SQL). Each row's `hash`
    chains it to the row before (`portal.audit.chain`); `manage.py verify_audit_log` checks the chain.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    subject = models.CharField(max_length=200, blank=True, help_text="Ids of what was looked at, e.g. session=12.")
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Unique: only one event can follow any given event, so concurrent appends can never fork the chain.
    previous_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Only "view": nobody can be given a right to add, change or delete audit events.
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        self._fit_values()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # Reading the last hash and inserting in one transaction: on SQLite it begins IMMEDIATE (the write
        # lock); on PostgreSQL it holds the chain's advisory lock until the commit.
        with transaction.atomic(using=using):
            self.previous_hash = _last_hash(connections[using])
            self.hash = chain.event_hash(self.previous_hash, vars(self))
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def _fit_values(self):
        """Every value fits its column and reads back as written, so the insert and the hash hold."""
        for name in ("username", "action", "subject"):
            setattr(self, name, values.fitted_text(getattr(self, name), self._meta.get_field(name).max_length))
        self.filters = values.fitted_filters(self.filters)
        self.row_count = values.fitted_row_count(self.row_count)
        self.ip_address = values.fitted_ip(self.ip_address)
        self.created_at = values.fitted_time(self.created_at)

"""The append-only log of staff access to patient data."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting the link to a deleted user (on_delete=SET_NULL goes
        # through QuerySet.update). The copy of the user name stays.
        if kwargs.keys() == {"user"} and kwargs["user"] is None:
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """Append-only log of staff access to patient data. Survives the deletion of the user.

    The model refuses updates and deletes (save of an existing row, delete, QuerySet.update/delete);
    its admin is read-only for everyone, superusers included.
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
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

"""Append-only audit log of staff access to patient data."""

from portal.audit.models import AuditEvent


def audit_record(*, request, action, subject="", filters=None, row_count=None):
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        subject=subject,
        filters=filters or {},
        row_count=row_count,
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )

"""Append-only audit log of staff access to patient data."""

from django.http import HttpRequest

from portal.audit.client import client_ip
from portal.audit.models import AuditEvent


def audit_record(
    *, request: HttpRequest, action: str, subject: str = "", filters: dict | None = None, row_count: int | None = None
) -> AuditEvent:
    """Record that `request.user` did `action` (on `subject`, with `filters`, showing `row_count` rows).

    Values that do not fit are cut to fit (AuditEvent.save, portal.audit.values), never raised into the
    request. The address is the client's, under the rate limit's rule for trusted proxies.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        subject=subject,
        filters=filters,
        row_count=row_count,
        ip_address=client_ip(request),
    )

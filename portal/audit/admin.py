from django.contrib import admin

from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_chain_verify, audit_guard_missing
from portal.audit.services import audit_record
from portal.permissions import ReadOnlyAdminMixin, can_view_audit_log

# The list checks the newest events' chain on every view; verify_audit_log checks the whole log.
VERIFY_NEWEST = 5000


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for everyone, superusers included; visible only with audit.view_auditevent.

    The list says whether the hash chain verifies and the database guard is in place.
    """

    list_display = ("created_at", "username", "action", "subject", "row_count", "ip_address")
    list_filter = ("action", "created_at")
    search_fields = ("username", "action", "subject")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "user",
        "username",
        "action",
        "subject",
        "filters",
        "row_count",
        "ip_address",
        "previous_hash",
        "hash",
    )
    actions = None

    def has_module_permission(self, request):
        return can_view_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def changelist_view(self, request, extra_context=None):
        if self.has_view_permission(request):
            extra_context = {
                **(extra_context or {}),
                "chain_report": audit_chain_verify(newest=VERIFY_NEWEST),
                "guard_missing": audit_guard_missing(),
            }
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            # Looking at who looked at patient data is itself recorded.
            audit_record(request=request, action="audit_log.view", filters=request.GET.dict())
        return response

from django.contrib import admin

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.permissions import can_view_audit_log


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included; visible only with portal.view_auditevent."""

    list_display = ("created_at", "username", "action", "subject", "row_count", "ip_address")
    list_filter = ("action", "created_at")
    search_fields = ("username", "action", "subject")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "user", "username", "action", "subject", "filters", "row_count", "ip_address")
    actions = None

    def has_module_permission(self, request):
        return can_view_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            # Looking at who looked at patient data is itself recorded.
            audit_record(request=request, action="audit_log.view", filters=request.GET.dict())
        return response

"""The admin for the EHR interfaces: which appointment codes mean which treatment, and the messages received.

Both ask portal.permissions.can_view_patient_data as well as their model permission (PatientDataPermissionMixin);
the message log shows which session each message touched, so looking at it is audited like the sessions.
Messages are read-only: they are the record of what the EHR sent and what it did.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.reading.admin import AuditedViewsMixin, PatientDataPermissionMixin
from portal.reading.models import AppointmentTypeMapping, InterfaceMessage


@admin.register(AppointmentTypeMapping)
class AppointmentTypeMappingAdmin(PatientDataPermissionMixin, admin.ModelAdmin):
    list_display = ("code", "system", "treatment", "is_active", "note")
    list_filter = ("is_active", "treatment")
    list_select_related = ("treatment",)
    search_fields = ("code", "system", "note")


@admin.register(InterfaceMessage)
class InterfaceMessageAdmin(AuditedViewsMixin, admin.ModelAdmin):
    audit_name = "interface_message"
    list_display = (
        "received_at",
        "channel",
        "message_type",
        "control_id",
        "sending_system",
        "result",
        "error",
        "session",
    )
    list_filter = ("result", "channel", "message_type", "received_at")
    list_select_related = ("session__patient", "session__treatment")
    date_hierarchy = "received_at"
    search_fields = ("control_id", "sending_system")
    fields = (
        "received_at", "channel", "message_type", "control_id", "sending_system", "message_time",
        "result", "error", "session", "payload_kept",
    )  # fmt: skip
    readonly_fields = fields
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Payload kept (encrypted)"), boolean=True)
    def payload_kept(self, message):
        return message.payload_encrypted is not None

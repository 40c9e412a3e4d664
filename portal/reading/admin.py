from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from portal.audit.services import audit_record
from portal.reading.forms import ReadingListItemForm
from portal.reading.models import Patient, ReadingListItem, SessionItem, Treatment, TreatmentSession
from portal.reading.services import sessions as session_services
from portal.reading.views.staff import patient_link_url


class AuditedViewsMixin:
    """Looking at patients or sessions in the admin is logged like the staff dashboard."""

    audit_name = ""

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            audit_record(request=request, action=f"admin.{self.audit_name}.list", filters=dict(request.GET.items()))
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            audit_record(
                request=request, action=f"admin.{self.audit_name}.view", subject=f"{self.audit_name}={object_id}"
            )
        return super().change_view(request, object_id, form_url, extra_context)


class ReadingListItemInline(admin.TabularInline):
    model = ReadingListItem
    form = ReadingListItemForm
    extra = 1
    fields = ("position", "article", "faq_topic", "required", "frequency")
    ordering = ("position", "pk")
    verbose_name = "page on the reading list"
    verbose_name_plural = "Reading list (in the order of the position numbers; new sessions copy it)"


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "pages")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ReadingListItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reading_list_length=Count("reading_list"))

    @admin.display(description="Pages on the reading list", ordering="reading_list_length")
    def pages(self, obj):
        return obj.reading_list_length


class PatientSessionInline(admin.TabularInline):
    model = TreatmentSession
    fields = ("scheduled_at", "treatment", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-scheduled_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Patient)
class PatientAdmin(AuditedViewsMixin, admin.ModelAdmin):
    audit_name = "patient"
    list_display = ("reference", "display_name", "email", "created_at")
    search_fields = ("reference", "display_name", "email")
    fields = ("reference", "display_name", "email")
    inlines = [PatientSessionInline]


class SessionItemInline(admin.TabularInline):
    """The session's copy of the reading list and each page's record: read-only (history is not edited)."""

    model = SessionItem
    fields = (
        "position", "page", "required", "current_material_version",
        "opened", "seconds", "acknowledged", "acknowledged_version",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("position",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("record", "article", "faq_topic")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Page")
    def page(self, item):
        return item.title

    @admin.display(description="Opened")
    def opened(self, item):
        record = item.reading_record
        return timezone.localtime(record.opened_at).strftime("%Y-%m-%d %H:%M") if record and record.opened_at else "—"

    @admin.display(description="Seconds reading")
    def seconds(self, item):
        record = item.reading_record
        return record.reading_seconds if record and record.reading_seconds is not None else "—"

    @admin.display(description="Acknowledged")
    def acknowledged(self, item):
        record = item.reading_record
        if record and record.acknowledged_at:
            return timezone.localtime(record.acknowledged_at).strftime("%Y-%m-%d %H:%M")
        return "—"

    @admin.display(description="Version acknowledged")
    def acknowledged_version(self, item):
        record = item.reading_record
        return record.acknowledged_version if record and record.acknowledged_version is not None else "—"


@admin.register(TreatmentSession)
class TreatmentSessionAdmin(AuditedViewsMixin, admin.ModelAdmin):
    audit_name = "session"
    list_display = ("scheduled_at", "patient", "treatment", "status", "link_state")
    list_filter = ("status", "treatment", "scheduled_at")
    list_select_related = ("patient", "treatment")
    date_hierarchy = "scheduled_at"
    search_fields = ("patient__reference", "patient__display_name")
    autocomplete_fields = ("patient",)
    readonly_fields = ("link_state", "link_issued_at", "link_expires_at", "link_revoked_at", "created_at")
    inlines = [SessionItemInline]
    actions = ["issue_new_links", "revoke_links"]

    def get_readonly_fields(self, request, obj=None):
        # The reading list was copied for this patient and treatment: changing either would rewrite history.
        if obj is not None:
            return ("patient", "treatment", *self.readonly_fields)
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = ["patient", "treatment", "scheduled_at", "status"]
        if obj is not None:
            fields += ["link_state", "link_issued_at", "link_expires_at", "link_revoked_at", "created_at"]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            items = session_services.session_copy_reading_list(session=obj)
            self.message_user(
                request,
                f"{len(items)} page(s) copied from the treatment's reading list. "
                "Use the “Issue new link” action (or the session page) to give the patient a link.",
            )
        elif "scheduled_at" in form.changed_data:
            session_services.session_reschedule_link(session=obj)

    @admin.display(description="Patient link")
    def link_state(self, session):
        if session.link_is_valid:
            return f"Active until {timezone.localtime(session.link_expires_at):%Y-%m-%d}"
        if session.link_revoked_at:
            return "Revoked"
        if session.token_hash:
            return "Expired"
        return "Not issued"

    @admin.action(description="Issue new link (the old one stops working)", permissions=["change"])
    def issue_new_links(self, request, queryset):
        issued = []
        for session in queryset.select_related("patient", "treatment"):
            token = session_services.session_issue_link(session=session)
            audit_record(request=request, action="link.issue", subject=f"session={session.pk}")
            issued.append((session, patient_link_url(token)))
        response = TemplateResponse(
            request,
            "admin/reading/treatmentsession/issued_links.html",
            {
                **self.admin_site.each_context(request),
                "title": "New patient links",
                "issued": issued,
                "opts": self.opts,
            },
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke link", permissions=["change"])
    def revoke_links(self, request, queryset):
        count = 0
        for session in queryset:
            session_services.session_revoke_link(session=session)
            audit_record(request=request, action="link.revoke", subject=f"session={session.pk}")
            count += 1
        self.message_user(request, f"{count} link(s) revoked.", messages.SUCCESS)

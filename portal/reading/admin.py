"""The admin for treatments, patients and sessions, as Clinic staff use it.

Every admin here asks portal.permissions.can_view_patient_data as well as its model permission: a user can
be given `reading.view_patient` (or every reading permission) without the patient-data right, and then sees
no patient data anywhere: not in the lists, change, history or delete pages, the autocomplete, or the index.
Looking at patients or sessions is audited once the permission check and the lookup have passed.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext, gettext_lazy

from portal.audit.services import audit_record
from portal.permissions import can_approve_content, can_edit_content, can_view_patient_data
from portal.reading.forms import ReadingListItemForm
from portal.reading.links import patient_link_url
from portal.reading.models import (
    PAGE_FIELDS,
    ChecklistItem,
    Patient,
    ReadingListItem,
    ReminderRule,
    SessionItem,
    Treatment,
    TreatmentSession,
)
from portal.reading.services import messages as message_services
from portal.reading.services import readiness
from portal.reading.services import sessions as session_services


class PatientDataPermissionMixin:
    """Model permissions count only for users who may see patient data (ModelAdmin and inlines alike)."""

    def has_module_permission(self, request):
        return can_view_patient_data(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_view_patient_data(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):  # inlines also get the parent object
        return can_view_patient_data(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return can_view_patient_data(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_view_patient_data(request.user) and super().has_delete_permission(request, obj)


class AuditedViewsMixin(PatientDataPermissionMixin):
    """Each page that shows patients or sessions is audited after it was allowed and found: a refusal raises
    PermissionDenied, an unknown id redirects; neither is recorded as a look."""

    audit_name = ""

    def _audit_shown(self, request, response, view, **fields):
        if response.status_code == 200:
            audit_record(request=request, action=f"admin.{self.audit_name}.{view}", **fields)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "POST":  # an action's intermediate page (e.g. "are you sure" with the names)
            selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
            action = {"action": request.POST.get("action", "")}
            return self._audit_shown(request, response, "action", filters=action, row_count=len(selected))
        return self._audit_shown(request, response, "list", filters=dict(request.GET.items()))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._audit_shown(request, response, "view", subject=f"{self.audit_name}={object_id}")

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._audit_shown(request, response, "history", subject=f"{self.audit_name}={object_id}")

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self._audit_shown(request, response, "delete_confirm", subject=f"{self.audit_name}={object_id}")

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        audit_record(request=request, action=f"admin.{self.audit_name}.delete", subject=f"{self.audit_name}={obj.pk}")

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        audit_record(
            request=request, action=f"admin.{self.audit_name}.delete", filters={"pks": pks}, row_count=len(pks)
        )

    def get_search_results(self, request, queryset, search_term):
        results = super().get_search_results(request, queryset, search_term)
        # The autocomplete (a session's patient field) pages through every name matching what is typed; it
        # reaches this only after its permission check (AutocompleteJsonView.has_perm).
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            audit_record(
                request=request,
                action=f"admin.{self.audit_name}.autocomplete",
                filters={"term": search_term, "page": request.GET.get("page", "1")},
            )
        return results


class ReadingListItemInline(PatientDataPermissionMixin, admin.TabularInline):
    model = ReadingListItem
    form = ReadingListItemForm
    extra = 1
    fields = ("position", *PAGE_FIELDS, "required", "frequency")
    ordering = ("position", "pk")
    verbose_name = "page on the reading list"
    verbose_name_plural = "Reading list (in the order of the position numbers; new sessions copy it)"


class ReminderRuleInline(PatientDataPermissionMixin, admin.TabularInline):
    model = ReminderRule
    extra = 1
    fields = ("hours_before", "is_active")
    verbose_name = "reminder"
    verbose_name_plural = "Reminders (hours before the session, while its required reading is not done)"


@admin.register(Treatment)
class TreatmentAdmin(PatientDataPermissionMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "pages")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ReadingListItemInline, ReminderRuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reading_list_length=Count("reading_list"))

    @admin.display(description="Pages on the reading list", ordering="reading_list_length")
    def pages(self, obj):
        return obj.reading_list_length


class PatientSessionInline(PatientDataPermissionMixin, admin.TabularInline):
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
    fields = (
        "reference",
        "display_name",
        "preferred_language",
        "email",
        "mobile_number",
        "consents_to_texts",
        "texts_opted_out_at",
    )
    readonly_fields = ("texts_opted_out_at",)
    inlines = [PatientSessionInline]


def _local_minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class SessionItemInline(PatientDataPermissionMixin, admin.TabularInline):
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
        return super().get_queryset(request).select_related("record", *PAGE_FIELDS)

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
        return _local_minute(record.opened_at if record else None)

    @admin.display(description="Seconds reading")
    def seconds(self, item):
        record = item.reading_record
        return record.reading_seconds if record and record.reading_seconds is not None else "—"

    @admin.display(description="Acknowledged")
    def acknowledged(self, item):
        record = item.reading_record
        return _local_minute(record.acknowledged_at if record else None)

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

    def get_inlines(self, request, obj):
        # A new session has no items until session_create copies the reading list.
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            # Time and status go through the services, so the link and the reminders follow.
            session = TreatmentSession.objects.get(pk=obj.pk)
            if "scheduled_at" in form.changed_data:
                session_services.session_reschedule(session=session, scheduled_at=obj.scheduled_at)
            if "status" in form.changed_data:
                if obj.status in session_services.NOT_HELD:
                    session_services.session_cancel(session=session, status=obj.status)
                else:
                    session.status = obj.status
                    session.save(update_fields=["status"])
            obj.refresh_from_db()
            return
        created = session_services.session_create(
            patient=obj.patient, treatment=obj.treatment, scheduled_at=obj.scheduled_at, status=obj.status
        )
        # The admin goes on with `obj` (its log entry, the redirect): make it the row the service created.
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False
        self.message_user(
            request,
            f"{created.items.count()} page(s) copied from the treatment's reading list. "
            "Use the “Issue new link” action (or the session page) to give the patient a link.",
        )

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
            message_services.messages_link_issued(session=session, token=token)
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


# Treatment-day checklist (issue 13): editors write, a clinical reviewer approves ------------------------------


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """Checklist items are reviewed content: editors change the text, patients see it only once a clinical
    reviewer who did not write it approves it (the "Approve" action, services.readiness.checklist_item_approve)."""

    list_display = ("text", "treatment", "position", "approved_text", "approved_at")
    list_filter = ("treatment",)
    readonly_fields = ("approved_text", "approved_short_label", "approved_by", "approved_at", "last_edited_by")
    fields = ("treatment", "position", "text", "short_label", *readonly_fields)
    actions = ["approve_items"]

    def has_module_permission(self, request):
        return can_edit_content(request.user)

    def has_view_permission(self, request, obj=None):
        return can_edit_content(request.user)

    def has_add_permission(self, request):
        return can_edit_content(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_content(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_approve_content(request.user)

    def save_model(self, request, obj, form, change):
        if not change or {"text", "short_label"} & set(form.changed_data):
            obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Approve the selected checklist items (patients see them)"))
    def approve_items(self, request, queryset):
        if not can_approve_content(request.user):
            self.message_user(request, gettext("Only clinical reviewers approve checklist items."), level="error")
            return
        approved = sum(readiness.checklist_item_approve(checklist_item=item, by=request.user) for item in queryset)
        self.message_user(
            request,
            gettext(
                "%(count)d approved. Items you changed yourself, or without changes, were not approved (four eyes)."
            )
            % {"count": approved},
        )
from portal.reading import admin_interop  # noqa: E402, F401 - the EHR interfaces' admin (issue 14)

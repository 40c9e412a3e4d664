"""ReviewedContentAdmin: what the article and FAQ entry admins share (governance fields, columns, filters, bulk
actions, the change page's workflow buttons and notices, and the workflow and version pages).

The buttons come from portal.content.workflow's table of steps, as do the step pages' refusals
(portal.content.admin.steps); the status field is never editable in the form.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, model_ngettext

from portal.content.admin.columns import (
    GOVERNANCE_FIELDSETS,
    GOVERNANCE_LIST_COLUMNS,
    GOVERNANCE_READONLY_FIELDS,
    GovernanceColumnsMixin,
    ReviewDueFilter,
)
from portal.content.admin.history import VersionPagesMixin
from portal.content.admin.pages import is_hard_to_read, limit_phrase, reading_phrase, when
from portal.content.admin.steps import CHANGE_PAGE_STEPS, StepViewsMixin
from portal.content.models import ContentStatus
from portal.content.selectors import content_versions
from portal.content.services import (
    ContentWorkflowError,
    content_archive,
    content_record_edit,
    content_submit_for_review,
)
from portal.content.workflow import Refusal, content_available_steps, content_step_permitted


class ReviewedContentAdmin(GovernanceColumnsMixin, StepViewsMixin, VersionPagesMixin, admin.ModelAdmin):
    """Base admin of articles and FAQ entries. Subclasses add model-specific list_display, fields, search...;
    the governance fields, columns, filters, actions and workflow pages are added here."""

    change_form_template = "admin/content/change_form.html"
    change_list_template = "admin/content/change_list.html"

    class Media:
        css = {"all": ("css/admin-governance.css",)}

    def get_urls(self):
        return self.step_urls() + self.version_urls() + super().get_urls()

    # Form and list --------------------------------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        own = tuple(super().get_readonly_fields(request, obj))
        return own + tuple(name for name in GOVERNANCE_READONLY_FIELDS if name not in own)

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            base = [(name, dict(options)) for name, options in self.fieldsets]
        else:
            fields = [name for name in self.get_fields(request, obj) if name not in GOVERNANCE_READONLY_FIELDS]
            base = [(None, {"fields": fields})]
        if obj is None:
            return base
        mentioned = set(flatten_fieldsets(base))
        for name, options in GOVERNANCE_FIELDSETS:
            fields = [field for field in options["fields"] if field not in mentioned]
            if fields:
                base.append((name, {**options, "fields": fields}))
        return base

    def get_list_display(self, request):
        """The subclass's columns, a governance field listed plainly shown by its governance column instead
        (e.g. "next_review_due" flags overdue pages), and the governance columns it does not list added."""
        columns = list(super().get_list_display(request))
        for column, field in GOVERNANCE_LIST_COLUMNS.items():
            if field in columns:
                columns[columns.index(field)] = column
            elif column not in columns:
                columns.append(column)
        return columns

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if "status" not in filters:
            filters.append("status")
        if ReviewDueFilter not in filters:
            filters.append(ReviewDueFilter)
        return filters

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("last_edited_by", "submitted_by", "approved_by")

    # Saving -----------------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        previous_status = content_record_edit(content=obj, by=request.user)
        super().save_model(request, obj, form, change)
        if previous_status is not None:
            messages.warning(request, self._back_to_draft_message(obj, previous_status))
        if is_hard_to_read(obj):
            messages.warning(
                request,
                f"“{obj}” reads at {reading_phrase(obj)}, {limit_phrase(obj)}: "
                "patients find shorter sentences and everyday words easier.",
            )

    def _back_to_draft_message(self, obj, previous_status):
        if previous_status == ContentStatus.SCHEDULED:
            return "Your change cancelled the scheduled publication. It is a draft again: submit it for review."
        if obj.is_live:
            return (
                f"Saved as a draft. Patients keep seeing version {obj.published_version} "
                "until a reviewer approves this change."
            )
        return "Saved as a draft. Submit it for review when it is ready."

    def has_delete_permission(self, request, obj=None):
        # A page patients have seen is archived, never deleted: its versions are the record of what was read.
        if obj is not None and obj.published_version > 0:
            return False
        return super().has_delete_permission(request, obj)

    # Bulk actions: offered to the roles the workflow lets take the step ------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or not actions and IS_POPUP_VAR in request.GET:
            return actions
        actions.pop("delete_selected", None)  # archive instead (see has_delete_permission)
        for step, action in (("submit", "submit_selected_for_review"), ("archive", "archive_selected")):
            if content_step_permitted(model=self.model, user=request.user, name=step):
                actions.setdefault(action, self.get_action(action))
        return actions

    @admin.action(description="Submit selected %(verbose_name_plural)s for review")
    def submit_selected_for_review(self, request, queryset):
        self._bulk(request, queryset, "Submitted for review", content_submit_for_review)

    @admin.action(description="Archive selected %(verbose_name_plural)s (patients stop seeing them)")
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "Archived", content_archive)

    def _bulk(self, request, queryset, verb, service):
        done, refused = 0, []
        for obj in queryset:
            try:
                service(content=obj, by=request.user)
            except ContentWorkflowError as error:
                refused.append(f"“{obj}”: {error}")
            else:
                self.log_change(request, obj, verb)
                done += 1
        if done:
            messages.success(request, f"{verb}: {done} {model_ngettext(self.opts, done)}.")
        for line in refused:
            messages.error(request, line)

    # Change page -----------------------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["governance"] = self._governance(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _governance(self, request, obj):
        steps = [
            step for step in content_available_steps(content=obj, user=request.user) if step.name in CHANGE_PAGE_STEPS
        ]
        return {
            "notices": self._notices(obj, steps),
            "steps": [
                {"label": step.label, "url": self.workflow_url(step.name, obj)} for step in steps if step.allowed
            ],
            "versions_url": self.workflow_url("versions", obj),
            "version_count": content_versions(content=obj).count(),
        }

    def _notices(self, obj, steps):
        notices = []
        if obj.review_overdue and obj.is_live:
            notices.append(
                f"Review overdue: this page was due for clinical review on {obj.next_review_due:%Y-%m-%d}. "
                "A reviewer should check it against its sources and approve it again."
            )
        if obj.review_note and obj.status == ContentStatus.DRAFT:
            notices.append(f"Sent back by the reviewer: {obj.review_note}")
        if obj.status == ContentStatus.SCHEDULED:
            notices.append(f"Approved; patients see it from {when(obj.publish_at)}.")
        elif obj.has_unpublished_changes and obj.is_live:
            notices.append(
                f"This working copy differs from what patients see (version {obj.published_version}); "
                "they keep seeing that version until a reviewer approves the change."
            )
        # A reviewer whose button is missing because of the four-eyes rule is told why.
        notices += [step.reason for step in steps if step.refused_by == Refusal.FOUR_EYES]
        if is_hard_to_read(obj):
            notices.append(
                f"Reading {reading_phrase(obj).replace('US school grade', 'grade')} is {limit_phrase(obj)}: "
                "use shorter sentences and everyday words."
            )
        return notices

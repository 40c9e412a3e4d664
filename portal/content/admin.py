"""Admin for reviewed content (articles and FAQ entries share ReviewedContentAdmin), content versions and
the review schedule page.

The workflow (portal.content.services) is driven from the change page: object-tools buttons lead to
small pages (submit, approve with its word diff, send back, archive, versions, compare, revert) that
POST to URLs added with get_urls. The status field is never editable in the form.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import flatten_fieldsets, model_ngettext, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from portal.content import diff
from portal.content.models import ContentStatus, ContentVersion, reviewed_content_models
from portal.content.services import (
    ContentWorkflowError,
    content_approval_problem,
    content_approve,
    content_archive,
    content_pending_version,
    content_record_edit,
    content_reject,
    content_revert_to_version,
    content_submit_for_review,
    content_versions,
)
from portal.permissions import can_approve_content

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def _max_grade():
    return settings.READABILITY_MAX_GRADE


def _is_hard_to_read(content):
    return content.readability_grade is not None and content.readability_grade > _max_grade()


# Forms ------------------------------------------------------------------------------------------------


class ApproveForm(forms.Form):
    checked_against = forms.CharField(
        max_length=200,
        label="Checked against",
        help_text="The source you checked this page against, with its revision or date, "
        "e.g. “SPRAVATO US Prescribing Information, rev. 01/2025”.",
    )
    material_change = forms.BooleanField(
        required=False,
        label="Patients must re-read this page",
        help_text="Tick when the change matters for safety or consent. Patients who confirmed reading an earlier "
        "version must read it again before their upcoming sessions. Leave it unticked for wording and typo fixes: "
        "then nobody is asked to re-read.",
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        input_formats=[DATETIME_INPUT_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT),
        help_text="Leave empty to publish when you approve. A later time keeps the approved text waiting until then.",
    )
    expire_at = forms.DateTimeField(
        required=False,
        label="Expire at",
        input_formats=[DATETIME_INPUT_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT),
        help_text="Optional: patients stop seeing the page at this time.",
    )
    next_review_due = forms.DateField(
        label="Next review due",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When a clinician must check this page again.",
    )
    expected_hash = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, content, **kwargs):
        super().__init__(*args, **kwargs)
        self.content = content
        if content.published_version == 0 or content.working_hash() == content.content_hash:
            del self.fields["material_change"]  # nobody has read anything this approval would change

    def clean_next_review_due(self):
        value = self.cleaned_data["next_review_due"]
        if value <= timezone.localdate():
            raise forms.ValidationError("Choose a date in the future.")
        return value

    def clean(self):
        cleaned = super().clean()
        publish_at, expire_at = cleaned.get("publish_at"), cleaned.get("expire_at")
        starts = max(publish_at, timezone.now()) if publish_at else timezone.now()
        if expire_at and expire_at <= starts:
            self.add_error("expire_at", "Choose a time after the page is published.")
        return cleaned


class RejectForm(forms.Form):
    note = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The editor sees this note on the page.",
    )


# Change list -------------------------------------------------------------------------------------------


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due within {settings.CONTENT_REVIEW_DUE_SOON_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "soon":
            return queryset.review_due_within(settings.CONTENT_REVIEW_DUE_SOON_DAYS)
        return queryset


# Reviewed content ---------------------------------------------------------------------------------------

GOVERNANCE_FIELDSETS = (
    (
        "Review and publishing",
        {
            "fields": ("status", "live_version", "review_note", "submitted_by", "last_edited_by"),
            "description": "Changes reach patients only after a second person approves them "
            "(use the buttons at the top of the page).",
        },
    ),
    (
        "Clinical review",
        {
            "fields": ("checked_against", "approved_by", "last_reviewed_at", "next_review_due"),
            "description": "Set by the reviewer on the approve page.",
        },
    ),
    ("Schedule", {"fields": ("publish_at", "expire_at"), "description": "Set by the reviewer on the approve page."}),
    ("Readability", {"fields": ("readability", "word_count", "reading_minutes")}),
)
GOVERNANCE_READONLY_FIELDS = tuple(flatten_fieldsets(GOVERNANCE_FIELDSETS)) + ("published_version", "readability_grade")
# Governance list columns, and the model field each one stands for (see get_list_display).
GOVERNANCE_LIST_COLUMNS = {
    "status_column": "status",
    "live_column": "published_version",
    "readability_column": "readability_grade",
    "review_column": "next_review_due",
}


class ReviewedContentAdmin(admin.ModelAdmin):
    """Base admin of articles and FAQ entries. Subclasses add model-specific list_display, fields, search...;
    the governance fields, columns, filters, actions and workflow pages are added here."""

    change_form_template = "admin/content/change_form.html"
    change_list_template = "admin/content/change_list.html"

    class Media:
        css = {"all": ("css/admin-governance.css",)}

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

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        return obj.get_status_display()

    @admin.display(description="Patients see", ordering="published_version")
    def live_column(self, obj):
        if obj.published_version == 0:
            return "Not published"
        if obj.withdrawn_at is not None or obj.status == ContentStatus.ARCHIVED:
            return f"Nothing (v{obj.published_version} withdrawn)"
        if not obj.is_live:
            return f"Nothing (v{obj.published_version} expired)"
        return f"Version {obj.published_version}"

    @admin.display(description="Reading grade", ordering="readability_grade")
    def readability_column(self, obj):
        if obj.readability_grade is None:
            return "–"
        if _is_hard_to_read(obj):
            return format_html(
                '<span class="governance-flag">{} ⚠ above {}</span>', obj.readability_grade, _max_grade()
            )
        return obj.readability_grade

    @admin.display(description="Next review", ordering="next_review_due")
    def review_column(self, obj):
        if obj.next_review_due is None:
            return "–"
        if obj.review_overdue and obj.is_live:
            return format_html('<span class="governance-flag">{} ⚠ overdue</span>', obj.next_review_due)
        return obj.next_review_due

    @admin.display(description="Patients see")
    def live_version(self, obj):
        text = self.live_column(obj)
        if obj.published_version and obj.published_at:
            text += f", published {timezone.localtime(obj.published_at):%Y-%m-%d %H:%M}"
        pending = content_pending_version(obj) if obj.status == ContentStatus.SCHEDULED else None
        if pending:
            text += f"; version {pending.version} is approved and waits until {self._when(obj.publish_at)}"
        return text

    @admin.display(description="Reading grade")
    def readability(self, obj):
        if obj.readability_grade is None:
            return "Too little text to judge."
        if _is_hard_to_read(obj):
            return format_html(
                '<span class="governance-flag">{} ⚠ above grade {}:</span> use shorter sentences and everyday words.',
                obj.readability_grade,
                _max_grade(),
            )
        return f"{obj.readability_grade} (US school grade; aim for {_max_grade()} or below)"

    # Saving -----------------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        previous_status = content_record_edit(content=obj, by=request.user)
        super().save_model(request, obj, form, change)
        if previous_status is not None:
            messages.warning(request, self._back_to_draft_message(obj, previous_status))
        if _is_hard_to_read(obj):
            messages.warning(
                request,
                f"“{obj}” reads at US school grade {obj.readability_grade}, above {_max_grade()}: "
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

    # Bulk actions ----------------------------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or not actions and IS_POPUP_VAR in request.GET:
            return actions
        actions.pop("delete_selected", None)  # archive instead (see has_delete_permission)
        if self.has_change_permission(request):
            actions.setdefault("submit_selected_for_review", self.get_action("submit_selected_for_review"))
        if can_approve_content(request.user):
            actions.setdefault("archive_selected", self.get_action("archive_selected"))
        return actions

    @admin.action(description="Submit selected %(verbose_name_plural)s for review")
    def submit_selected_for_review(self, request, queryset):
        self._bulk(request, queryset, "Submitted for review", content_submit_for_review)

    @admin.action(description="Archive selected %(verbose_name_plural)s (patients stop seeing them)")
    def archive_selected(self, request, queryset):
        self._bulk(request, queryset, "Archived", content_archive)

    def _bulk(self, request, queryset, verb, step):
        done, refused = 0, []
        for obj in queryset:
            try:
                step(content=obj, by=request.user)
            except ContentWorkflowError as error:
                refused.append(f"“{obj}”: {error}")
            else:
                self.log_change(request, obj, verb)
                done += 1
        if done:
            messages.success(request, f"{verb}: {done} {model_ngettext(self.opts, done)}.")
        for line in refused:
            messages.error(request, line)

    # Workflow pages ----------------------------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        steps = [
            ("<path:object_id>/submit/", self.submit_view, "submit"),
            ("<path:object_id>/approve/", self.approve_view, "approve"),
            ("<path:object_id>/reject/", self.reject_view, "reject"),
            ("<path:object_id>/archive/", self.archive_view, "archive"),
            ("<path:object_id>/versions/", self.versions_view, "versions"),
            ("<path:object_id>/versions/compare/", self.compare_view, "compare"),
            ("<path:object_id>/versions/<int:version>/", self.version_view, "version"),
            ("<path:object_id>/versions/<int:version>/revert/", self.revert_view, "revert"),
        ]
        return [path(route, wrap(view), name=f"{prefix}_{step}") for route, view, step in steps] + super().get_urls()

    def workflow_url(self, step, obj, **kwargs):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{step}",
            kwargs={"object_id": obj.pk, **kwargs},
            current_app=self.admin_site.name,
        )

    def _change_url(self, obj):
        return self.workflow_url("change", obj)

    def _content(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id}.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _page(self, request, obj, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/content/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": title,
                "subtitle": str(obj),
                "change_url": self._change_url(obj),
                "versions_url": self.workflow_url("versions", obj),
                "has_view_permission": self.has_view_permission(request, obj),
                "media": self.media,
                **context,
            },
        )

    def _done(self, request, obj, message, log=None):
        self.log_change(request, obj, log or message)
        messages.success(request, message)
        return HttpResponseRedirect(self._change_url(obj))

    def _perform(self, request, obj, step, done, **kwargs):
        """POST of a workflow step: `step(content=obj, by=request.user, **kwargs)`, then back to the change page
        with `done` (message, log line) or with the reason the step was refused."""
        try:
            step(content=obj, by=request.user, **kwargs)
        except ContentWorkflowError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(self._change_url(obj))
        return self._done(request, obj, *done)

    def _confirm(self, request, obj, step, *, done, title, question, explanation):
        """A step behind a confirmation page: GET asks `question`, POST performs `step` (see _perform)."""
        if request.method == "POST":
            return self._perform(request, obj, step, done)
        return self._page(request, obj, "confirm.html", title, question=question, explanation=explanation, button=title)

    def submit_view(self, request, object_id):
        obj = self._content(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return self._confirm(
            request,
            obj,
            content_submit_for_review,
            done=("Submitted for review. Another person must approve it.", "Submitted for review"),
            title="Submit for review",
            question="Submit this page for review?",
            explanation="A reviewer with the right to approve content checks it against its sources. "
            "You cannot approve your own change.",
        )

    def archive_view(self, request, object_id):
        obj = self._content(request, object_id)
        if not can_approve_content(request.user):
            raise PermissionDenied
        return self._confirm(
            request,
            obj,
            content_archive,
            done=("Archived. Patients no longer see this page.", "Archived"),
            title="Archive",
            question="Archive this page?",
            explanation="Patients stop seeing it at once, including on reading lists of upcoming sessions. "
            "Its versions are kept. Editing it and approving it again brings it back.",
        )

    def reject_view(self, request, object_id):
        obj = self._content(request, object_id)
        if not can_approve_content(request.user):
            raise PermissionDenied
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = ("Sent back to draft with your note.", "Sent back to draft")
            return self._perform(request, obj, content_reject, done, note=form.cleaned_data["note"])
        return self._page(request, obj, "reject.html", "Send back to draft", form=form)

    def approve_view(self, request, object_id):
        obj = self._content(request, object_id)
        if not can_approve_content(request.user):
            raise PermissionDenied
        problem = content_approval_problem(content=obj, by=request.user)
        has_changes = obj.published_version == 0 or obj.working_hash() != obj.content_hash
        form = ApproveForm(
            request.POST if request.method == "POST" and not problem else None,
            content=obj,
            initial={
                "checked_against": obj.checked_against,
                "publish_at": self._local(obj.publish_at) if self._in_future(obj.publish_at) else None,
                "expire_at": self._local(obj.expire_at),
                "next_review_due": timezone.localdate()
                + timezone.timedelta(days=settings.CONTENT_REVIEW_INTERVAL_DAYS),
                "expected_hash": obj.working_hash(),
            },
        )
        if request.method == "POST" and not problem and form.is_valid():  # a problem shows, never approves
            data = form.cleaned_data
            try:
                version = content_approve(
                    content=obj,
                    by=request.user,
                    checked_against=data["checked_against"],
                    material_change=data.get("material_change", False),
                    publish_at=data["publish_at"],
                    expire_at=data["expire_at"],
                    next_review_due=data["next_review_due"],
                    expected_hash=data["expected_hash"],
                )
            except ContentWorkflowError as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, obj, *self._approved_messages(obj, version))
        return self._page(
            request,
            obj,
            "approve.html",
            "Review and approve",
            form=form,
            problem=problem,
            has_changes=has_changes,
            changes=self._live_to_working(obj) if obj.published_version else None,
            hard_to_read=_is_hard_to_read(obj),
            max_grade=_max_grade(),
        )

    def _approved_messages(self, obj, version):
        if version is None:
            if obj.status == ContentStatus.SCHEDULED:
                message = f"Approved. Patients see this page again from {self._when(obj.publish_at)}."
            else:
                message = f"Review confirmed. Next review due {obj.next_review_due:%Y-%m-%d}."
            return message, "Review confirmed"
        reread = " Patients of upcoming sessions must read it again." if version.material_change else ""
        if obj.status == ContentStatus.SCHEDULED:
            return (
                f"Approved version {version.version}. Patients see it from {self._when(obj.publish_at)}.{reread}",
                f"Approved version {version.version}, scheduled",
            )
        return (
            f"Approved version {version.version}. Patients see it now.{reread}",
            f"Approved and published version {version.version}",
        )

    def versions_view(self, request, object_id):
        obj = self._content(request, object_id)
        versions = list(content_versions(obj))
        for newer, older in zip(versions, [*versions[1:], None], strict=True):
            newer.detail_url = self.workflow_url("version", obj, version=newer.version)
            newer.previous_number = older.version if older else None
        return self._page(
            request,
            obj,
            "versions.html",
            "Versions",
            versions=versions,
            pending=content_pending_version(obj),
            compare_url=self.workflow_url("compare", obj),
            can_revert=self.has_change_permission(request, obj),
        )

    def version_view(self, request, object_id, version):
        obj = self._content(request, object_id)
        kept = get_object_or_404(content_versions(obj), version=version)
        return self._page(
            request,
            obj,
            "version.html",
            f"Version {kept.version}",
            version=kept,
            previous=content_versions(obj).filter(version__lt=kept.version).first(),
            compare_url=self.workflow_url("compare", obj),
            revert_url=self.workflow_url("revert", obj, version=kept.version),
            can_revert=self.has_change_permission(request, obj),
        )

    def compare_view(self, request, object_id):
        """?old=<version>&new=<version or "draft">: defaults compare the last two versions."""
        obj = self._content(request, object_id)
        versions = {kept.version: kept for kept in content_versions(obj)}
        choices = [(str(number), f"Version {number}") for number in sorted(versions)] + [("draft", "Working copy")]
        latest = max(versions, default=None)
        old_key = request.GET.get("old") or (str(latest - 1) if latest and latest > 1 else str(latest or ""))
        new_key = request.GET.get("new") or (str(latest) if latest and latest > 1 else "draft")
        old, new = self._snapshot_for(obj, versions, old_key), self._snapshot_for(obj, versions, new_key)
        if old is None or new is None:
            raise Http404("Choose two versions of this page to compare.")
        return self._page(
            request,
            obj,
            "compare.html",
            "Compare versions",
            choices=choices,
            old_key=old_key,
            new_key=new_key,
            old_label=dict(choices)[old_key],
            new_label=dict(choices)[new_key],
            changes=diff.compare(old, new),
        )

    def revert_view(self, request, object_id, version):
        obj = self._content(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        kept = get_object_or_404(content_versions(obj), version=version)
        if request.method == "POST":
            done = (
                f"The working copy is now the text of version {kept.version}, as a draft. "
                "Submit it for review to publish it.",
                f"Reverted the working copy to version {kept.version}",
            )
            return self._perform(request, obj, content_revert_to_version, done, version=kept)
        return self._page(
            request,
            obj,
            "revert.html",
            f"Revert to version {kept.version}",
            version=kept,
            changes=diff.compare(self.working_snapshot(obj), self.version_snapshot(kept)),
        )

    # Snapshots for the diff --------------------------------------------------------------------------------

    def _live_to_working(self, obj):
        return diff.compare(self.live_snapshot(obj), self.working_snapshot(obj))

    @staticmethod
    def live_snapshot(obj):
        return diff.Snapshot(title=obj.live_title, html=obj.live_html, summary=getattr(obj, "live_summary", ""))

    @staticmethod
    def working_snapshot(obj):
        obj.render_working_copy()
        return diff.Snapshot(title=obj.working_title, html=obj.body_html, summary=getattr(obj, "summary", ""))

    @staticmethod
    def version_snapshot(version):
        return diff.Snapshot(title=version.title, html=version.body_html, summary=version.summary)

    def _snapshot_for(self, obj, versions, key):
        if key == "draft":
            return self.working_snapshot(obj)
        try:
            return self.version_snapshot(versions[int(key)])
        except (KeyError, ValueError):
            return None

    # Change page -----------------------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["governance"] = self._governance(request, obj)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _governance(self, request, obj):
        approver = can_approve_content(request.user)
        status = obj.status
        notices = []
        if obj.review_overdue and obj.is_live:
            notices.append(
                f"Review overdue: this page was due for clinical review on {obj.next_review_due:%Y-%m-%d}. "
                "A reviewer should check it against its sources and approve it again."
            )
        if obj.review_note and status == ContentStatus.DRAFT:
            notices.append(f"Sent back by the reviewer: {obj.review_note}")
        if status == ContentStatus.SCHEDULED:
            notices.append(f"Approved; patients see it from {self._when(obj.publish_at)}.")
        elif obj.published_version and obj.working_hash() != obj.content_hash and obj.is_live:
            notices.append(
                f"This working copy differs from what patients see (version {obj.published_version}); "
                "they keep seeing that version until a reviewer approves the change."
            )
        if _is_hard_to_read(obj):
            notices.append(
                f"Reading grade {obj.readability_grade} is above {_max_grade()}: "
                "use shorter sentences and everyday words."
            )
        return {
            "notices": notices,
            "versions_url": self.workflow_url("versions", obj),
            "version_count": content_versions(obj).count(),
            "submit_url": self.workflow_url("submit", obj)
            if status in (ContentStatus.DRAFT, ContentStatus.ARCHIVED) and self.has_change_permission(request, obj)
            else None,
            "approve_url": self.workflow_url("approve", obj)
            if approver and status in (ContentStatus.IN_REVIEW, ContentStatus.PUBLISHED)
            else None,
            "reject_url": self.workflow_url("reject", obj)
            if approver and status in (ContentStatus.IN_REVIEW, ContentStatus.SCHEDULED)
            else None,
            "archive_url": self.workflow_url("archive", obj) if approver and status != ContentStatus.ARCHIVED else None,
            "approve_label": "Review and approve" if status == ContentStatus.IN_REVIEW else "Confirm review",
        }

    @staticmethod
    def _in_future(value):
        return value is not None and value > timezone.now()

    @staticmethod
    def _local(value):
        return timezone.localtime(value) if value else None

    @staticmethod
    def _when(value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "now"


# Versions and the review schedule --------------------------------------------------------------------------


@admin.register(ContentVersion)
class ContentVersionAdmin(admin.ModelAdmin):
    """Every approved version, read-only. The review schedule page hangs off this admin's URLs."""

    list_display = (
        "title",
        "content_type",
        "version",
        "approved_by_name",
        "approved_at",
        "published_at",
        "material_change",
    )
    list_filter = ("content_type", "material_change", "approved_at")
    search_fields = ("title", "approved_by_name", "checked_against")
    date_hierarchy = "approved_at"
    readonly_fields = (
        "content_type", "object_id", "version", "title", "summary", "body", "body_html", "content_hash",
        "material_change", "checked_against", "edited_by_name", "approved_by", "approved_by_name", "approved_at",
        "published_at",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("review-due/", self.admin_site.admin_view(self.review_due_view), name="content_review_due"),
            *super().get_urls(),
        ]

    def review_due_view(self, request):
        models = [model for model in reviewed_content_models() if self._can_see(request, model)]
        if not models:
            raise PermissionDenied
        soon = settings.CONTENT_REVIEW_DUE_SOON_DAYS
        overdue, due_soon = [], []
        for model in models:
            queryset = model.objects.select_related("approved_by")
            overdue += [self._review_row(obj) for obj in queryset.review_overdue()]
            due_soon += [self._review_row(obj) for obj in queryset.review_due_within(soon)]
        overdue.sort(key=lambda row: row["due"])
        due_soon.sort(key=lambda row: row["due"])
        return TemplateResponse(
            request,
            "admin/content/review_due.html",
            {
                **self.admin_site.each_context(request),
                "title": "Pages due for clinical review",
                "overdue": overdue,
                "due_soon": due_soon,
                "soon_days": soon,
                "today": timezone.localdate(),
            },
        )

    def _can_see(self, request, model):
        model_admin = self.admin_site._registry.get(model)
        return model_admin is not None and model_admin.has_view_or_change_permission(request)

    def _review_row(self, obj):
        opts = obj._meta
        return {
            "content": obj,
            "kind": opts.verbose_name,
            "due": obj.next_review_due,
            "days_overdue": (timezone.localdate() - obj.next_review_due).days,
            "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        }

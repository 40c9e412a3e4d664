"""The governance columns and read-only fields ReviewedContentAdmin adds to the article and FAQ entry admins."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext

from portal.content import readability
from portal.content.admin.pages import is_hard_to_read, limit_phrase, readability_scale, reading_phrase, when
from portal.content.models import ContentStatus
from portal.content.selectors import content_pending_version

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
# Governance list columns, and the model field each one stands for (see ReviewedContentAdmin.get_list_display).
GOVERNANCE_LIST_COLUMNS = {
    "status_column": "status",
    "live_column": "published_version",
    "readability_column": "readability_grade",
    "review_column": "next_review_due",
}


def smog_phrase(obj):
    """ ", SMOG grade 10.4" beside an English page's Flesch–Kincaid grade (computed from its rendered text)."""
    if not readability_scale(obj).higher_is_harder:
        return ""
    smog = readability.smog_grade(strip_tags(obj.body_html).replace("\n", " "))
    return "" if smog is None else gettext("; SMOG grade %(grade)s (reads about 3 grades above)") % {"grade": smog}


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


class GovernanceColumnsMixin:
    """List columns and read-only fields of a ModelAdmin of reviewed content."""

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
        if is_hard_to_read(obj):
            return format_html('<span class="governance-flag">{} ⚠ {}</span>', obj.readability_grade, limit_phrase(obj))
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
        pending = content_pending_version(content=obj) if obj.status == ContentStatus.SCHEDULED else None
        if pending:
            text += f"; version {pending.version} is approved and waits until {when(obj.publish_at)}"
        return text

    @admin.display(description="Reading grade")
    def readability(self, obj):
        if obj.readability_grade is None:
            return "Too little text to judge."
        if is_hard_to_read(obj):
            return format_html(
                '<span class="governance-flag">{} ⚠ {}:</span> use shorter sentences and everyday words.{}',
                reading_phrase(obj),
                limit_phrase(obj),
                smog_phrase(obj),
            )
        scale = readability_scale(obj)
        return f"{obj.readability_grade} ({scale.name}; aim for {scale.aim}){smog_phrase(obj)}"

"""ContentVersionAdmin (every approved version, read-only) and the review schedule page it carries."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from portal.content.models import ContentVersion, reviewed_content_models
from portal.content.selectors import content_review_due
from portal.permissions import ReadOnlyAdminMixin


def visible_content_models(request, admin_site=admin.site):
    """The reviewed-content models whose admin `request.user` may open (the review schedule lists only those)."""
    registry = admin_site._registry
    return [
        model
        for model in reviewed_content_models()
        if model in registry and registry[model].has_view_or_change_permission(request)
    ]


@admin.register(ContentVersion)
class ContentVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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

    def get_urls(self):
        return [
            path("review-due/", self.admin_site.admin_view(self.review_due_view), name="content_review_due"),
            *super().get_urls(),
        ]

    def review_due_view(self, request):
        models = visible_content_models(request, self.admin_site)
        if not models:
            raise PermissionDenied
        due = content_review_due(models=models, soon_days=settings.CONTENT_REVIEW_DUE_SOON_DAYS)
        return TemplateResponse(
            request,
            "admin/content/review_due.html",
            {
                **self.admin_site.each_context(request),
                "title": "Pages due for clinical review",
                "overdue": [_review_row(page) for page in due.overdue],
                "due_soon": [_review_row(page) for page in due.due_soon],
                "soon_days": due.soon_days,
                "today": timezone.localdate(),
            },
        )


def _review_row(content):
    opts = content._meta
    return {
        "content": content,
        "kind": opts.verbose_name,
        "due": content.next_review_due,
        "days_overdue": (timezone.localdate() - content.next_review_due).days,
        "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[content.pk]),
    }

"""Template tags of the admin's content-review additions (templates/admin/index.html)."""

from django import template
from django.conf import settings
from django.contrib import admin

from portal.content.services import reviewed_content_models

register = template.Library()


@register.simple_tag(takes_context=True)
def content_review_summary(context):
    """Counts of live pages overdue for review and due soon, for a user who may see content; else None."""
    request = context.get("request")
    if request is None:
        return None
    models = [
        model
        for model in reviewed_content_models()
        if model in admin.site._registry and admin.site._registry[model].has_view_or_change_permission(request)
    ]
    if not models:
        return None
    soon = settings.CONTENT_REVIEW_DUE_SOON_DAYS
    return {
        "overdue": sum(model.objects.review_overdue().count() for model in models),
        "due_soon": sum(model.objects.review_due_within(soon).count() for model in models),
        "soon_days": soon,
    }

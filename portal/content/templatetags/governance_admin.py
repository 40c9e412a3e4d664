"""Template tags of the admin's content-review additions (templates/admin/index.html)."""

from django import template
from django.conf import settings

from portal.content.admin.versions import visible_content_models
from portal.content.selectors import content_review_due_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def content_review_summary(context):
    """Counts of live pages overdue for review and due soon, for a user who may see content; else None."""
    request = context.get("request")
    if request is None:
        return None
    models = visible_content_models(request)
    if not models:
        return None
    return content_review_due_counts(models=models, soon_days=settings.CONTENT_REVIEW_DUE_SOON_DAYS)

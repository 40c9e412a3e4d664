"""Cross-model actions on reviewed content (articles and FAQ entries)."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal.content import ContentStatus
from portal.models import ContentVersion, SessionItem


@transaction.atomic
def content_publish(*, content, by, material_change=False, now=None):
    """Approve the working copy: it becomes the live version and a kept ContentVersion."""
    now = now or timezone.now()
    content.copy_working_copy_to_live()
    content.published_version += 1
    if material_change:
        content.material_version = content.published_version
    content.status = ContentStatus.PUBLISHED
    content.published_at = now
    content.approved_by = by
    content.last_reviewed_at = now
    content.save()
    ContentVersion.objects.create(
        content_type=ContentType.objects.get_for_model(content),
        object_id=content.pk,
        version=content.published_version,
        title=content.working_title,
        summary=getattr(content, "summary", ""),
        body=content.working_body,
        body_html=content.live_html,
        content_hash=content.content_hash,
        material_change=material_change,
        checked_against=content.checked_against,
        edited_by_name=content.last_edited_by.get_username() if content.last_edited_by else "",
        approved_by=by,
        approved_by_name=by.get_username() if by else "",
        approved_at=now,
    )
    _after_live_change(content, material_change=material_change)
    return content


def _after_live_change(content, *, material_change):
    """Keep FAQ topic versions and session items' material versions in step with the content."""
    from articles.models import Article
    from faq.models import FaqEntry

    if isinstance(content, FaqEntry):
        topic = content.topic
        topic.refresh_live_state(material=material_change)
        if material_change:
            SessionItem.objects.filter(faq_topic=topic).update(current_material_version=topic.material_version)
    elif isinstance(content, Article) and material_change:
        SessionItem.objects.filter(article=content).update(current_material_version=content.material_version)

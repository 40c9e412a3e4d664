"""Writes of the FAQ app that involve more than one model (the review workflow itself is portal.content.services)."""

from django.db import transaction

from faq.models import FaqTopic, FaqTopicHeading
from portal.content.services import content_publish

BASELINE_NOTE = "Title and introduction as patients saw them before their first review"


@transaction.atomic
def faq_topic_heading_for_change(*, topic: FaqTopic) -> FaqTopicHeading:
    """The reviewed heading of a topic patients have seen, to change its title or introduction.

    Made on first use from what patients see now, as its version 1 (no review: nothing changes for patients),
    so that the reviewer of the first change sees it word by word against that version."""
    topic = FaqTopic.objects.select_for_update().get(pk=topic.pk)
    heading = FaqTopicHeading.objects.filter(topic=topic).first()
    if heading is None:
        heading = FaqTopicHeading(topic=topic, title=topic.title, intro=topic.intro)
        content_publish(content=heading, by=None, checked_against=BASELINE_NOTE)
    return heading

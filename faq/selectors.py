"""Reads of the FAQ app for the layers above it (the review workflow's reads are portal.content.selectors)."""

from faq.models import FaqTopicHeading, FaqTopicHeadingTranslation
from portal.content.selectors import base_language, page_text_for


def faq_topic_headings_in(*, topics, language) -> dict:
    """{topic pk: (title, intro)} of the `topics` whose heading has a translation into `language` that patients
    may be shown (page_text_for's rule: current, not behind a material change of the heading). Two queries."""
    language = base_language(language)
    if language == base_language(FaqTopicHeading().content_language):
        return {}
    headings = {heading.pk: heading for heading in FaqTopicHeading.objects.filter(topic__in=topics)}
    if not headings:
        return {}
    found = {}
    translated = FaqTopicHeadingTranslation.objects.published().filter(language=language, source__in=list(headings))
    for row in translated:
        heading = headings[row.source_id]
        if page_text_for(content=heading, language=language, translation=row).translation is not None:
            found[heading.topic_id] = (row.live_title, row.live_intro)
    return found

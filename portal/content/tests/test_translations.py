"""Translations are reviewed content: the same workflow (four eyes, versions, revert, publish_due), the source
version they were made from, and THE rule for which text a reader of a language gets (page_text_for)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import ArticleTranslation
from faq.models import FaqEntryTranslation
from portal.content.models import ContentStatus, reviewed_content_models
from portal.content.selectors import Fallback, content_versions, page_text_for, page_texts_for
from portal.content.services import (
    ContentWorkflowError,
    content_approve,
    content_publish,
    content_publish_due,
    content_record_edit,
    content_revert_to_version,
)
from portal.content.tests.factories import (
    make_article,
    make_article_translation,
    make_entry,
    make_entry_translation,
    make_topic,
)
from portal.content.tests.governance_helpers import CHECKED, published, submitted

pytestmark = pytest.mark.django_db


def new_source_version(source, *, material, text=" More."):
    """The source gets a new published version (material or not)."""
    setattr(source, source.body_field, getattr(source, source.body_field) + text)
    source.save()
    content_publish(content=source, by=None, material_change=material)
    source.refresh_from_db()
    return source


def test_translation_models_take_part_in_the_one_workflow():
    models = reviewed_content_models()
    assert ArticleTranslation in models and FaqEntryTranslation in models


def test_a_translation_records_the_source_version_and_material_version_it_was_made_from():
    article = make_article(publish=True)
    new_source_version(article, material=True)  # v2, material
    new_source_version(article, material=False)  # v3
    translation = make_article_translation(source=article, source_version=2, publish=True)
    assert (translation.live_source_version, translation.live_source_material_version) == (2, 2)
    kept = content_versions(content=translation).get()
    assert kept.source_version == 2
    assert translation.is_out_of_date and not translation.is_behind_material_change


def test_the_source_version_must_be_one_the_source_published():
    article = make_article(publish=True)
    translation = ArticleTranslation(source=article, language="es", title="T", summary="S", body="B", source_version=5)
    with pytest.raises(ValidationError) as error:
        translation.full_clean()
    assert "source_version" in error.value.message_dict


def test_an_unpublished_source_cannot_be_translated():
    article = make_article()
    translation = ArticleTranslation(source=article, language="es", title="T", summary="S", body="B", source_version=0)
    with pytest.raises(ValidationError):
        translation.full_clean()


def test_one_translation_per_language_of_a_source():
    from django.db import IntegrityError, transaction

    article = make_article(publish=True)
    make_article_translation(source=article)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article_translation(source=article)


def test_four_eyes_on_a_translation_the_translator_cannot_approve_it(editor, reviewer, second_reviewer):
    article = make_article(publish=True)
    translation = make_article_translation(source=article)
    translation.body += " Más."
    content_record_edit(content=translation, by=reviewer)  # the reviewer changed the translation
    translation.save()
    submitted(translation, editor)
    with pytest.raises(ContentWorkflowError, match="four-eyes"):
        content_approve(content=translation, by=reviewer, checked_against=CHECKED)
    version = content_approve(content=translation, by=second_reviewer, checked_against=CHECKED)
    translation.refresh_from_db()
    assert version.version == 1 and translation.status == ContentStatus.PUBLISHED
    assert translation.approved_by == second_reviewer
    assert translation.next_review_due > timezone.localdate()


def test_editing_a_published_translation_keeps_patients_on_the_approved_text(editor, reviewer):
    article = make_article(publish=True)
    translation = published(make_article_translation(source=article), editor, reviewer)
    translation.body = "## Nuevo\n\nTexto nuevo."
    assert content_record_edit(content=translation, by=editor) == ContentStatus.PUBLISHED
    translation.save()
    translation.refresh_from_db()
    assert translation.status == ContentStatus.DRAFT
    assert "Texto nuevo" not in translation.live_html
    assert "Texto nuevo" not in page_text_for(content=article, language="es").html


def test_revert_brings_back_the_text_and_the_source_version_it_translates(editor, reviewer):
    article = make_article(publish=True)
    translation = make_article_translation(source=article, body="Primera versión.", publish=True)
    new_source_version(article, material=True)
    translation.body, translation.source_version = "Segunda versión.", 2
    translation.save()
    content_publish(content=translation, by=None)
    translation.refresh_from_db()
    assert translation.live_source_version == 2
    first = content_versions(content=translation).get(version=1)
    content_revert_to_version(content=translation, version=first, by=editor)
    translation.refresh_from_db()
    assert (translation.body, translation.source_version, translation.status) == (
        "Primera versión.",
        1,
        ContentStatus.DRAFT,
    )


def test_changing_only_the_source_version_translated_needs_review():
    article = make_article(publish=True)
    translation = make_article_translation(source=article, publish=True)
    new_source_version(article, material=False)
    translation.source_version = 2
    assert translation.has_unpublished_changes


def test_publish_due_publishes_a_scheduled_translation(editor, reviewer):
    article = make_article(publish=True)
    translation = submitted(make_article_translation(source=article), editor)
    soon = timezone.now() + timezone.timedelta(hours=1)
    content_approve(content=translation, by=reviewer, checked_against=CHECKED, publish_at=soon)
    outcomes = content_publish_due(now=soon + timezone.timedelta(minutes=1))
    translation.refresh_from_db()
    assert [outcome.action for outcome in outcomes] == ["published"]
    assert translation.is_live


# Which text a reader of a language gets ---------------------------------------------------------------------


def test_the_source_language_gets_the_source():
    article = make_article(publish=True)
    make_article_translation(source=article, publish=True)
    text = page_text_for(content=article, language="en")
    assert text.language == "en" and text.translation is None and not text.needs_note


def test_a_current_translation_is_served_in_its_language():
    article = make_article(publish=True)
    translation = make_article_translation(source=article, title="Antes de su sesión", publish=True)
    text = page_text_for(content=article, language="es")
    assert (text.title, text.language, text.translation_version) == ("Antes de su sesión", "es", 1)
    assert text.content == article and not text.needs_note
    assert page_text_for(content=article, language="es-mx").translation == translation


def test_no_translation_gives_the_source_with_a_note():
    article = make_article(publish=True)
    make_article_translation(source=article)  # a draft: patients never see it
    text = page_text_for(content=article, language="es")
    assert text.language == "en" and text.fallback == Fallback.MISSING and text.needs_note


def test_after_a_non_material_source_change_the_translation_is_still_served_but_out_of_date():
    article = make_article(publish=True)
    translation = make_article_translation(source=article, publish=True)
    new_source_version(article, material=False)
    translation.refresh_from_db()
    assert translation.is_out_of_date and not translation.is_behind_material_change
    assert page_text_for(content=article, language="es").translation == translation
    assert list(ArticleTranslation.objects.out_of_date()) == [translation]
    assert not ArticleTranslation.objects.behind_material_change().exists()


def test_after_a_material_source_change_the_out_of_date_translation_is_not_served_as_current():
    article = make_article(publish=True)
    translation = make_article_translation(source=article, title="Texto viejo", publish=True)
    new_source_version(article, material=True, text=" New safety text.")
    text = page_text_for(content=article, language="es")
    assert text.translation is None and text.language == "en"
    assert text.fallback == Fallback.OUT_OF_DATE and text.needs_note
    assert "New safety text." in text.html and text.title == article.live_title
    assert list(ArticleTranslation.objects.behind_material_change()) == [translation]
    # Approved again from the source's new version: served again.
    translation.source_version = article.published_version
    translation.save()
    content_publish(content=translation, by=None)
    assert page_text_for(content=article, language="es").translation == translation


def test_a_translation_made_after_the_material_change_from_an_older_non_material_version_is_current():
    article = make_article(publish=True)
    new_source_version(article, material=True)  # v2 material
    new_source_version(article, material=False)  # v3
    translation = make_article_translation(source=article, source_version=2, publish=True)
    assert page_text_for(content=article, language="es").translation == translation


def test_faq_entries_in_one_query_each_by_its_own_rule(django_assert_num_queries):
    topic = make_topic()
    current, stale, missing = (make_entry(topic=topic, publish=True) for _ in range(3))
    make_entry_translation(source=current, question="¿Actual?", publish=True)
    make_entry_translation(source=stale, question="¿Vieja?", publish=True)
    new_source_version(stale, material=True)
    with django_assert_num_queries(1):
        texts = page_texts_for(contents=[current, stale, missing], language="es")
    assert [text.title for text in texts] == ["¿Actual?", stale.live_title, missing.live_title]
    assert [text.fallback for text in texts] == [Fallback.NONE, Fallback.OUT_OF_DATE, Fallback.MISSING]


def test_a_translation_made_before_the_sources_material_change_cannot_be_approved(editor, reviewer):
    article = make_article(publish=True)
    translation = make_article_translation(source=article)
    new_source_version(article, material=True)
    submitted(translation, editor)
    with pytest.raises(ContentWorkflowError, match="material change in version 2"):
        content_approve(content=translation, by=reviewer, checked_against=CHECKED)
    translation.source_version = 2
    translation.save()
    content_approve(content=translation, by=reviewer, checked_against=CHECKED)
    translation.refresh_from_db()
    assert translation.is_live and translation.live_source_material_version == 2

"""The demo's Spanish pages: approved through the workflow, one for every English demo page, marked as sample
content, readable for Spanish patients; one FAQ entry shows staff "out of date" after a small (non-material) edit
of its English source while patients still read it; after a material change of the English source they are no
longer served as current."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleTranslation
from faq.models import FaqEntry, FaqEntryTranslation, FaqTopicHeadingTranslation
from portal.content.readability import scale_for
from portal.content.selectors import Fallback, page_text_for
from portal.content.services import content_publish
from portal.content.tests.factories import clear_page_cache
from portal.demo import demo_article_translations, demo_articles, demo_faq_topics, demo_faq_translations
from portal.demo.loader import DEMO_OUT_OF_DATE_ENTRY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo only runs in development
    call_command("load_demo", stdout=StringIO())


def spanish(url):
    clear_page_cache()
    return Client().get("/es" + url).content.decode()


def out_of_date_entry():
    topic, slug = DEMO_OUT_OF_DATE_ENTRY
    return FaqEntryTranslation.objects.select_related("source").get(source__topic__slug=topic, source__slug=slug)


def test_every_english_demo_page_has_a_spanish_version(demo):
    assert {made.source.slug for made in ArticleTranslation.objects.filter(language="es")} == {
        article.slug for article in demo_articles()
    }
    english = {(topic.slug, entry.slug) for topic in demo_faq_topics() for entry in topic.entries}
    spanish_entries = FaqEntryTranslation.objects.filter(language="es").select_related("source__topic")
    assert {(made.source.topic.slug, made.source.slug) for made in spanish_entries} == english
    assert FaqTopicHeadingTranslation.objects.filter(language="es").count() == len(demo_faq_topics())


def test_the_demo_has_approved_spanish_pages_marked_as_sample_content_and_readable(demo):
    assert demo_article_translations() and demo_faq_translations()
    translations = [*ArticleTranslation.objects.all(), *FaqEntryTranslation.objects.all()]
    assert len(translations) == len(demo_article_translations()) + sum(
        len(topic.entries) for topic in demo_faq_translations()
    )
    stale = out_of_date_entry()
    for made in translations:
        assert made.is_live and not made.is_behind_material_change, made
        assert made.is_out_of_date == (made == stale), made
        assert made.approved_by is not None and made.approved_by != made.last_edited_by
        assert "Contenido de muestra" in made.live_html and "no es un consejo médico" in made.live_html
        assert made.readability_grade is not None, made
        assert not scale_for("es").is_hard(made.readability_grade), (made, made.readability_grade)


def test_every_spanish_article_has_teach_back_questions_on_its_own_headings(demo):
    for made in ArticleTranslation.objects.all():
        questions = made.live_teach_back
        assert len(questions) >= 2, made
        spanish_headings = {entry["text"] for entry in made.live_toc} | {made.live_title}
        for question in questions:
            assert question["section"] in spanish_headings, (made, question)
            assert question["anchor"] or question["section"] == made.live_title


def test_a_small_edit_of_one_english_entry_shows_its_translation_out_of_date_to_staff_only(demo, client):
    made = out_of_date_entry()
    source = made.source
    assert (made.live_source_version, source.published_version) == (1, 2)
    assert source.material_version <= made.live_source_material_version  # the edit was not material
    assert FaqEntryTranslation.objects.out_of_date().get() == made
    assert not FaqEntryTranslation.objects.behind_material_change().exists()
    # Patients reading Spanish still get the Spanish text (no material change since it was made).
    shown = page_text_for(content=FaqEntry.objects.get(pk=source.pk), language="es")
    assert shown.translation == made and shown.fallback == Fallback.NONE
    # Staff see the state in the admin.
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get(reverse("admin:faq_faqentrytranslation_change", args=[made.pk])).content.decode()
    assert "Out of date: made from version 1, the source is at version 2" in page
    listing = client.get(reverse("admin:faq_faqentrytranslation_changelist") + "?source_state=out_of_date")
    assert made.question in listing.content.decode()


def test_a_second_run_changes_no_page(demo, settings):
    def versions():
        models = (Article, FaqEntry, ArticleTranslation, FaqEntryTranslation, FaqTopicHeadingTranslation)
        return {(model.__name__, row.pk): row.published_version for model in models for row in model.objects.all()}

    before = versions()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert versions() == before
    assert " 0 created, 0 updated," in out.getvalue()
    assert out_of_date_entry().is_out_of_date


def test_after_a_material_change_of_the_english_demo_page_the_spanish_one_is_not_served_as_current(demo):
    made = ArticleTranslation.objects.select_related("source").get(source__slug="what-to-expect-on-treatment-day")
    url = reverse("articles:detail", kwargs={"slug": made.source.slug})
    assert made.live_title in spanish(url)
    article = Article.objects.get(pk=made.source_id)
    article.body += "\n\nA new safety sentence."
    article.save()
    content_publish(content=article, by=None, material_change=True)
    page = spanish(url)
    assert made.live_title not in page and "A new safety sentence." in page
    assert 'data-fallback="out_of_date"' in page

"""The demo's Spanish pages: approved through the workflow and current, marked as sample content, readable for
Spanish patients; after a material change of the English source they are no longer served as current."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleTranslation
from faq.models import FaqEntryTranslation
from portal.content.readability import scale_for
from portal.content.services import content_publish
from portal.content.tests.factories import clear_page_cache
from portal.demo import demo_article_translations, demo_faq_translations

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # load_demo only runs in development
    call_command("load_demo", stdout=StringIO())


def spanish(url):
    clear_page_cache()
    return Client().get("/es" + url).content.decode()


def test_the_demo_has_approved_current_spanish_pages_marked_as_sample_content(demo):
    assert demo_article_translations() and demo_faq_translations()
    translations = [*ArticleTranslation.objects.all(), *FaqEntryTranslation.objects.all()]
    assert len(translations) == len(demo_article_translations()) + sum(
        len(topic.entries) for topic in demo_faq_translations()
    )
    for made in translations:
        assert made.is_live and not made.is_out_of_date, made
        assert made.approved_by is not None and made.approved_by != made.last_edited_by
        assert "Contenido de muestra" in made.live_html and "no es un consejo médico" in made.live_html
        assert not scale_for("es").is_hard(made.readability_grade), (made, made.readability_grade)


def test_a_second_run_changes_no_translation(demo, settings):
    versions = {made.pk: made.published_version for made in ArticleTranslation.objects.all()}
    call_command("load_demo", stdout=StringIO())
    assert {made.pk: made.published_version for made in ArticleTranslation.objects.all()} == versions


def test_after_a_material_change_of_the_english_demo_page_the_spanish_one_is_not_served_as_current(demo):
    made = ArticleTranslation.objects.select_related("source").get()
    url = reverse("articles:detail", kwargs={"slug": made.source.slug})
    assert made.live_title in spanish(url)
    article = Article.objects.get(pk=made.source_id)
    article.body += "\n\nA new safety sentence."
    article.save()
    content_publish(content=article, by=None, material_change=True)
    page = spanish(url)
    assert made.live_title not in page and "A new safety sentence." in page
    assert 'data-fallback="out_of_date"' in page

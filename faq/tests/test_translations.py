"""FAQ entry translations: written and reviewed in the admin, shown on the topic page in Spanish when current."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from faq.models import FaqEntryTranslation
from portal.content.services import content_publish
from portal.content.tests.factories import get_uncached, make_entry, make_entry_translation, make_topic
from portal.content.tests.governance_helpers import add_url, admin_url, as_user, changelist_url

pytestmark = pytest.mark.django_db


def spanish_topic_page(topic):
    with translation.override("es"):
        return get_uncached(Client(), reverse("faq:topic", kwargs={"slug": topic.slug})).content.decode()


def test_an_editor_adds_and_lists_an_faq_translation(editor):
    entry = make_entry(topic=make_topic(), publish=True)
    browser = as_user(editor)
    assert "markdownx" in browser.get(add_url(FaqEntryTranslation) + f"?source={entry.pk}").content.decode()
    response = browser.post(
        add_url(FaqEntryTranslation),
        {"source": entry.pk, "language": "es", "source_version": 1, "question": "¿Qué es?", "answer": "Es un aerosol."},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    made = FaqEntryTranslation.objects.get()
    assert "¿Qué es?" in browser.get(changelist_url(FaqEntryTranslation)).content.decode()
    assert browser.get(admin_url(made, "change")).status_code == 200
    preview = reverse(
        "faq:translation_preview", kwargs={"topic": entry.topic.slug, "slug": entry.slug, "language": "es"}
    )
    assert "¿Qué es?" in browser.get(preview).content.decode()


def test_the_topic_page_in_spanish_shows_current_answers_and_the_source_for_stale_ones():
    topic = make_topic()
    current = make_entry(topic=topic, publish=True)
    stale = make_entry(topic=topic, publish=True, answer="Old answer.")
    make_entry_translation(source=current, question="¿Puedo manejar?", publish=True)
    make_entry_translation(source=stale, question="¿Respuesta vieja?", publish=True)
    html = spanish_topic_page(topic)
    assert "¿Puedo manejar?" in html and "¿Respuesta vieja?" in html
    stale.answer = "New safety answer."
    stale.save()
    content_publish(content=stale, by=None, material_change=True)
    html = spanish_topic_page(topic)
    assert "¿Puedo manejar?" in html and "¿Respuesta vieja?" not in html and "New safety answer." in html
    assert html.count('data-fallback="out_of_date"') == 1


def translated_heading(topic, **fields):
    from faq.models import FaqTopicHeadingTranslation
    from faq.services import faq_topic_heading_for_change

    heading = faq_topic_heading_for_change(topic=topic)
    fields.setdefault("title", "Su visita")
    fields.setdefault("intro", "Preguntas sobre su visita.")
    made = FaqTopicHeadingTranslation.objects.create(source=heading, language="es", source_version=1, **fields)
    content_publish(content=made, by=None)
    return heading, made


def test_the_topic_title_and_introduction_in_spanish_until_a_material_change_of_the_heading():
    topic = make_topic(title="Your visit", intro="Questions about your visit.")
    make_entry(topic=topic, publish=True)
    heading, _ = translated_heading(topic)
    html = spanish_topic_page(topic)
    assert "<h1>Su visita</h1>" in html and "Preguntas sobre su visita." in html
    with translation.override("es"):
        index = get_uncached(Client(), reverse("faq:index")).content.decode()
    assert "Su visita" in index
    assert "Your visit" in get_uncached(Client(), reverse("faq:topic", kwargs={"slug": topic.slug})).content.decode()
    heading.title = "Your clinic visit"
    heading.save()
    content_publish(content=heading, by=None, material_change=True)
    html = spanish_topic_page(topic)
    assert "<h1>Your clinic visit</h1>" in html and "Su visita" not in html


def test_the_heading_admin_lists_its_translations(editor):
    topic = make_topic()
    make_entry(topic=topic, publish=True)
    heading, made = translated_heading(topic)
    page = as_user(editor).get(admin_url(heading, "change")).content.decode()
    assert "Su visita" in page
    assert as_user(editor).get(admin_url(made, "change")).status_code == 200

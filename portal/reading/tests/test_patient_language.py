"""A patient reads in their preferred language: the item page shows the current translation (else the source
with a note in their language), the reading record stores the language and version read, and staff see it on
the session page, the dashboard and in the CSV."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.content.services import content_publish
from portal.content.tests.factories import make_article_translation, make_entry_translation
from portal.reading.models import ReadingRecord
from portal.reading.shown import SALT, PageShown, read_shown, sign_shown
from portal.reading.tests.factories import (
    in_days,
    items_of,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
    open_link,
    page_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish():
    """A Spanish-speaking patient's session: a translated article and an FAQ page with one answer translated."""
    article = make_reading_article(title="How the treatment works")
    make_article_translation(
        source=article,
        title="Cómo funciona el tratamiento",
        body="Usted recibe el aerosol en la clínica.",
        publish=True,
    )
    topic = make_reading_topic(title="Common questions", entries=2)
    first, second = topic.entries.order_by("position")
    make_entry_translation(source=first, question="¿Puedo manejar?", answer="No maneje ese día.", publish=True)
    treatment = make_treatment(article, topic)
    session, token = make_session(
        treatment=treatment, patient=make_patient(preferred_language="es"), scheduled_at=in_days(1)
    )
    browser = Client()
    open_link(browser, token)
    return session, browser, article, topic


def item_html(browser, item):
    return browser.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()


def acknowledge(browser, item):
    response = browser.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), page_form(browser, item))
    assert response.status_code == 302, response.status_code
    return ReadingRecord.objects.get(item=item)


def material_change(source, text=" New safety text."):
    setattr(source, source.body_field, getattr(source, source.body_field) + text)
    source.save()
    content_publish(content=source, by=None, material_change=True)
    source.refresh_from_db()


def test_the_item_page_shows_the_translation_in_the_patients_language(spanish):
    session, browser, article, _ = spanish
    html = item_html(browser, items_of(session)[0])
    assert "Cómo funciona el tratamiento" in html and "Usted recibe el aerosol" in html
    assert 'class="prose" lang="es"' in html and "translation-note" not in html


def test_an_english_patient_gets_the_source(reading, patient):
    html = item_html(patient, reading[2][0])
    # (the language switch names "Español" in Spanish: lang="es" on that link only)
    assert "translation-note" not in html and 'class="prose" lang="es"' not in html and '<html lang="en">' in html


def test_acknowledging_records_the_language_and_versions_read(spanish):
    session, browser, article, _ = spanish
    record = acknowledge(browser, items_of(session)[0])
    assert (record.language, record.acknowledged_version, record.translation_version) == ("es", 1, 1)
    assert record.language_read == "read in Spanish, v1 (translation v1)"


def test_after_a_material_change_the_patient_gets_the_source_with_a_note_and_reads_it_in_english(spanish):
    session, browser, article, _ = spanish
    item = items_of(session)[0]
    material_change(article)
    html = item_html(browser, item)
    assert "Cómo funciona el tratamiento" not in html and "New safety text." in html
    assert 'lang="es" data-fallback="out_of_date"' in html and 'class="prose" lang="en"' in html
    record = acknowledge(browser, item)
    assert (record.language, record.translation_version, record.acknowledged_version) == ("en", None, 2)


def test_a_page_shown_in_spanish_before_a_material_change_is_not_acknowledged_after_it(spanish):
    session, browser, article, _ = spanish
    item = items_of(session)[0]
    fields = page_form(browser, item)  # shown in Spanish, v1
    material_change(article)
    response = browser.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), fields)
    assert response.status_code == 409
    assert "New safety text." in response.content.decode()
    assert not ReadingRecord.objects.filter(item=item, acknowledged_at__isnull=False).exists()


def test_an_faq_page_partly_translated_is_read_in_spanish_and_english(spanish):
    session, browser, _, topic = spanish
    item = items_of(session)[1]
    html = item_html(browser, item)
    assert "¿Puedo manejar?" in html and 'data-fallback="missing"' in html
    record = acknowledge(browser, item)
    assert record.language == "es+en" and record.language_read.startswith("read in Spanish and English, v")


def test_the_session_page_dashboard_and_csv_say_the_language_read(spanish, staff):
    session, browser, _, _ = spanish
    acknowledge(browser, items_of(session)[0])
    page = staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()
    assert "read in Spanish, v1 (translation v1)" in page
    day = timezone.localdate(session.scheduled_at).isoformat()
    dashboard = staff.get(reverse("staff:dashboard") + f"?from={day}&to={day}").content.decode()
    assert "read in Spanish" in dashboard
    response = staff.get(reverse("staff:sessions_csv") + f"?from={day}&to={day}")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    first = next(row for row in rows if row["item_position"] == str(items_of(session)[0].position))
    assert (first["language_read"], first["translation_version"]) == ("es", "1")


def test_the_signed_value_carries_the_language_and_old_values_still_read(spanish):
    from django.core import signing

    session, _, _, _ = spanish
    item = items_of(session)[0]
    now = timezone.now()
    shown = PageShown(version=1, content_hash="abc", at=now, language="es", translation_version=2)
    assert read_shown(sign_shown(item=item, shown=shown), item=item) == shown
    old = signing.dumps([item.pk, 1, "abc", now.timestamp()], salt=SALT)
    assert read_shown(old, item=item).language == ""


def test_the_reading_list_and_messages_use_the_titles_in_the_patients_language(spanish):
    session, browser, article, _ = spanish
    overview = browser.get(reverse("patient:session")).content.decode()
    assert "Cómo funciona el tratamiento" in overview and "How the treatment works" not in overview
    item = items_of(session)[0]
    response = browser.post(
        reverse("patient:acknowledge", kwargs={"pk": item.pk}), page_form(browser, item), follow=True
    )
    assert "Gracias. «Cómo funciona el tratamiento» quedó marcada como leída." in response.content.decode()
    material_change(article)
    assert "How the treatment works" in browser.get(reverse("patient:session")).content.decode()


def test_a_fully_translated_faq_page_is_read_in_spanish_with_its_title_and_introduction(spanish):
    from faq.models import FaqTopicHeadingTranslation
    from faq.services import faq_topic_heading_for_change

    session, browser, _, topic = spanish
    second = topic.entries.order_by("position")[1]
    make_entry_translation(source=second, question="¿Puedo comer?", answer="No coma dos horas antes.", publish=True)
    heading = faq_topic_heading_for_change(topic=topic)
    made = FaqTopicHeadingTranslation.objects.create(
        source=heading, language="es", source_version=1, title="Preguntas comunes", intro="Lo que más nos preguntan."
    )
    content_publish(content=made, by=None)
    item = items_of(session)[1]
    html = item_html(browser, item)
    assert "<h1>Preguntas comunes</h1>" in html and "Lo que más nos preguntan." in html
    assert "translation-note" not in html
    assert "Preguntas comunes" in browser.get(reverse("patient:session")).content.decode()
    assert acknowledge(browser, item).language == "es"

"""The interface in English and Spanish (README, "Languages"): addresses per language, <html lang>, hreflang, the
language switch, patients in their language, the page cache per language, emails, dates."""

import re

import pytest
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from portal.content.tests.factories import make_article, make_entry, make_topic
from portal.reading.links import patient_link_url
from portal.reading.messaging.sender import send_due_messages
from portal.reading.models import Patient
from portal.reading.services.messages import session_email_link
from portal.reading.tests.factories import (
    make_patient,
    make_reading_article,
    make_session,
    make_treatment,
    open_link,
)

pytestmark = pytest.mark.django_db

HTML_LANG_RE = re.compile(r'<html lang="([^"]+)">')


@pytest.fixture(autouse=True)
def _empty_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def public_pages():
    article = make_article(publish=True, title="Treatment day", slug="treatment-day", summary="What happens.")
    topic = make_topic(title="Your visit", slug="your-visit")
    make_entry(topic=topic, publish=True, question="What should I bring?", slug="what-to-bring", answer="A list.")
    return article, topic


def lang_of(response):
    return HTML_LANG_RE.search(response.content.decode()).group(1)


# Addresses -------------------------------------------------------------------------------------------


def test_english_keeps_its_addresses_and_spanish_has_them_under_es(client, public_pages):
    article, topic = public_pages
    assert (reverse("home"), reverse("articles:list"), reverse("faq:index")) == ("/", "/articles/", "/faq/")
    assert article.get_absolute_url() == "/articles/treatment-day/"
    with translation.override("es"):
        assert reverse("home") == "/es/"
        assert article.get_absolute_url() == "/es/articles/treatment-day/"
        assert topic.get_absolute_url() == "/es/faq/your-visit/"
    for path in ("/", "/articles/", "/articles/treatment-day/", "/faq/", "/faq/your-visit/", "/search/?q=list"):
        english, spanish = client.get(path), client.get("/es" + path)
        assert (english.status_code, spanish.status_code) == (200, 200), path
        assert (lang_of(english), lang_of(spanish)) == ("en", "es"), path
        assert spanish["Content-Language"] == "es"


def test_a_browser_asking_for_spanish_still_gets_english_at_the_english_address(client, public_pages):
    response = client.get("/articles/", headers={"accept-language": "es"})
    assert response.status_code == 200 and lang_of(response) == "en"


def test_patient_staff_and_admin_addresses_have_no_language_prefix(client):
    assert reverse("patient:session") == "/p/session/"
    assert client.get("/es/p/session/").status_code == 404
    assert client.get("/es/staff/").status_code == 404
    assert client.get("/es/admin/").status_code == 404


# The page itself -------------------------------------------------------------------------------------


def test_a_spanish_page_is_in_spanish_with_hreflang_alternates_and_a_switch_to_english(client, public_pages):
    html = client.get("/es/articles/treatment-day/").content.decode()
    assert "Todos los artículos" in html and "Ir al contenido principal" in html
    assert "En una emergencia, llame al 911." in html
    assert '<link rel="alternate" hreflang="en" href="http://testserver/articles/treatment-day/">' in html
    assert '<link rel="alternate" hreflang="es" href="http://testserver/es/articles/treatment-day/">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/articles/treatment-day/">' in html
    switch = re.search(r'<nav class="language-switch".*?</nav>', html, re.S).group(0)
    assert 'aria-label="Idioma"' in switch
    assert '<a href="/articles/treatment-day/" hreflang="en" lang="en">English</a>' in switch
    assert "Español" not in switch  # only the other language is offered


def test_an_english_page_offers_spanish_and_keeps_the_query(client, public_pages):
    html = client.get("/search/?q=list").content.decode()
    assert '<a href="/es/search/?q=list" hreflang="es" lang="es">Español</a>' in html


def test_a_page_with_no_other_address_has_no_alternates(client):
    html = client.get("/es/no-such-page/").content.decode()
    assert "hreflang" not in html
    assert "Lo sentimos, no encontramos esa página" in html  # the 404 page in the address's language


def test_dates_are_written_in_the_pages_language(client, public_pages):
    article, _ = public_pages
    reviewed = timezone.localtime(article.last_reviewed_at)
    with translation.override("es"):
        spanish_date = dateformat.format(reviewed, r"j \d\e F \d\e Y")
    with translation.override("en"):
        english_date = dateformat.format(reviewed, "F j, Y")
    assert spanish_date in client.get("/es/articles/treatment-day/").content.decode()
    assert english_date in client.get("/articles/treatment-day/").content.decode()
    assert re.fullmatch(r"\d{1,2} de [a-z]+ de \d{4}", spanish_date), spanish_date


def test_search_messages_are_in_spanish(client, public_pages):
    assert "Escriba una o dos palabras" in client.get("/es/search/").content.decode()
    assert "1 resultado para «list»" in client.get("/es/search/?q=list").content.decode()


# Page cache ------------------------------------------------------------------------------------------


def test_the_page_cache_keeps_each_language_apart(client, public_pages):
    for _ in range(2):  # the second round is served from the cache
        assert lang_of(client.get("/articles/")) == "en"
        assert lang_of(client.get("/es/articles/")) == "es"
    keys = list(caches["pages"]._cache)
    assert any(":es:" in key for key in keys) and any(":en:" in key for key in keys)
    assert client.get("/es/articles/").templates == []  # a hit


# Patients --------------------------------------------------------------------------------------------


@pytest.fixture
def spanish_reading():
    treatment = make_treatment(make_reading_article(title="How it works", word_count=400))
    patient = make_patient(preferred_language="es")
    session, token = make_session(treatment=treatment, patient=patient)
    return session, token


def test_a_spanish_patient_reads_their_pages_in_spanish(spanish_reading):
    session, token = spanish_reading
    browser = Client(enforce_csrf_checks=True)
    open_link(browser, token)
    response = browser.get(reverse("patient:session"))
    html = response.content.decode()
    assert lang_of(response) == "es" and response["Content-Language"] == "es"
    local = timezone.localtime(session.scheduled_at)
    with translation.override("es"):
        day = dateformat.format(local, r"l j \d\e F")
    assert f"Antes de su sesión del {day} a las {local:%H:%M}" in html
    assert "Su lista de lectura" in html and "Sin empezar" in html
    item = session.items.get()
    item_html = browser.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    assert "Leí y entendí esta página" in item_html
    assert "Si piensa en hacerse daño, llame o envíe un mensaje de texto al" in item_html


def test_a_spanish_patients_errors_and_messages_are_in_spanish(spanish_reading):
    session, token = spanish_reading
    browser = Client()
    open_link(browser, token)
    item = session.items.get()
    response = browser.post(reverse("patient:question", kwargs={"pk": item.pk}), {"text": ""})
    assert response.status_code == 400
    assert "Escriba su pregunta antes de enviarla." in response.content.decode()
    url = reverse("patient:question", kwargs={"pk": item.pk})
    response = browser.post(url, {"text": "¿Puedo manejar?"}, follow=True)
    assert "Gracias. Su pregunta llegó al equipo de la clínica." in response.content.decode()


def test_the_patient_can_switch_language_for_their_browser_session_only(spanish_reading):
    session, token = spanish_reading
    browser = Client(enforce_csrf_checks=True)
    open_link(browser, token)
    html = browser.get(reverse("patient:session")).content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("patient:language")}"' in form
    assert '<button class="link-button" type="submit" name="language" value="en" lang="en">English</button>' in form
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = browser.post(
        reverse("patient:language"), {"language": "en", "next": "/p/session/", "csrfmiddlewaretoken": csrf}
    )
    assert response.status_code == 302 and response["Location"] == "/p/session/"
    assert lang_of(browser.get("/p/session/")) == "en"
    assert Patient.objects.get(pk=session.patient_id).preferred_language == "es"  # the clinic's record is unchanged

    other = Client()
    open_link(other, token)
    assert lang_of(other.get("/p/session/")) == "es"  # another browser: the preferred language


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/p/", "/admin/", ""])
def test_the_switch_only_goes_back_to_a_patient_page(spanish_reading, next_url):
    browser = Client()
    open_link(browser, spanish_reading[1])
    response = browser.post(reverse("patient:language"), {"language": "en", "next": next_url})
    assert response["Location"] == reverse("patient:session")


def test_an_unknown_language_is_refused(spanish_reading):
    browser = Client()
    open_link(browser, spanish_reading[1])
    assert browser.post(reverse("patient:language"), {"language": "xx"}).status_code == 400
    assert lang_of(browser.get("/p/session/")) == "es"


def test_a_link_that_does_not_work_answers_in_the_browsers_language(client):
    response = client.get("/p/not-a-real-token/", headers={"accept-language": "es"})
    assert response.status_code == 404 and lang_of(response) == "es"
    assert "Este enlace no funciona" in response.content.decode()
    assert lang_of(client.get("/p/not-a-real-token/")) == "en"


def test_the_link_email_is_in_the_patients_language(spanish_reading, settings):
    settings.MESSAGES_QUIET_HOURS_START = settings.MESSAGES_QUIET_HOURS_END = "00:00"  # no quiet hours
    session, token = spanish_reading
    session.patient.email = "paciente@example.org"
    session.patient.save()
    session_email_link(session=session, token=token)  # queued; the worker sends it
    send_due_messages()
    message = mail.outbox[-1]
    assert message.subject == "Páginas para leer antes de su visita a Riverside Clinic"
    assert "Abra su enlace privado de lectura:" in message.body
    assert patient_link_url(token) in message.body
    assert translation.get_language() == "en"  # the override ended with the email

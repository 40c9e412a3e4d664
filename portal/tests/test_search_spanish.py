"""Search in Spanish (/es/search/, README "Search in Spanish"): the Spanish texts patients are shown, accents and
case ignored; pages without a current Spanish text are found in English and labelled so."""

import unicodedata

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation

from portal.content.tests.factories import (
    make_article,
    make_article_translation,
    make_entry,
    make_entry_translation,
    make_topic,
)
from portal.content.tests.test_translations import new_source_version
from portal.search import SEARCH_MAX_LENGTH, fold, folded_highlight, folded_search_terms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    caches["pages"].clear()


def spanish_search(client, query):
    with translation.override("es"):
        url = reverse("search")
    assert url == "/es/search/"
    return client.get(url, {"q": query})


def english_search(client, query):
    return client.get(reverse("search"), {"q": query})


@pytest.fixture
def content():
    article = make_article(
        title="Side effects",
        slug="side-effects",
        summary="What you may feel after a dose.",
        body="## Nausea\n\nSome people feel sick (nausea) after a dose. Do not eat for 2 hours before.",
        publish=True,
    )
    make_article_translation(
        source=article,
        title="Efectos secundarios",
        summary="Lo que puede sentir después de una dosis.",
        body="## Náuseas\n\nAlgunas personas sienten náusea (ganas de vomitar) después de una dosis.",
        publish=True,
    )
    untranslated = make_article(
        title="Getting home",
        slug="getting-home",
        summary="You need a ride home.",
        body="Bring a driver. You may feel nausea in the car.",
        publish=True,
    )
    topic = make_topic(title="Spravato", slug="spravato")
    entry = make_entry(
        topic=topic,
        slug="stay",
        question="How long will I stay?",
        answer="At least 2 hours after each dose.",
        publish=True,
    )
    make_entry_translation(
        source=entry,
        question="¿Cuánto tiempo me quedo en la clínica?",
        answer="Por lo menos 2 horas después de cada dosis. El médico revisa su presión.",
        publish=True,
    )
    return article, untranslated, topic, entry


# Folding ------------------------------------------------------------------------------------------------


def test_folding_drops_accents_and_case_from_the_query_and_the_text():
    assert fold("NÁUSEA Niño Pingüino") == "nausea nino pinguino"
    assert fold(unicodedata.normalize("NFD", "náusea")) == "nausea"
    assert folded_search_terms("Náuseas  náusea DOLORES") == ["nausea", "dolor"]


def test_highlighting_marks_the_whole_word_in_its_original_spelling():
    assert folded_highlight("Siente NÁUSEAS.", ["nausea"]) == "Siente <mark>NÁUSEAS</mark>."
    decomposed = unicodedata.normalize("NFD", "la náusea <b>")
    assert folded_highlight(decomposed, ["nausea"]) == f"la <mark>{decomposed[3:10]}</mark> &lt;b&gt;"


# What is searched -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["nausea", "náusea", "NAUSEA", "nauseas", "Náuseas", "ganas vomitar"])
def test_spanish_search_finds_the_spanish_text_accents_and_case_ignored(client, content, query):
    response = spanish_search(client, query)
    assert response.status_code == 200
    results = response.context["results"]
    assert results[0]["url"] == "/es/articles/side-effects/"
    assert results[0]["lang"] == ""
    html = response.content.decode()
    assert "Efectos secundarios" in html
    assert "<mark>náusea</mark>" in html or "<mark>Náuseas</mark>" in html or "<mark>ganas</mark>" in html


def test_spanish_results_link_to_spanish_pages_and_questions(client, content):
    response = spanish_search(client, "presion medico")
    assert [result["url"] for result in response.context["results"]] == ["/es/faq/spravato/#stay"]
    html = response.content.decode()
    assert "<mark>presión</mark>" in html and "<mark>médico</mark>" in html
    assert '<html lang="es"' in html


def test_a_page_with_a_current_translation_is_searched_in_spanish_only(client, content):
    response = spanish_search(client, "sick")
    assert response.context["results"] == []  # "sick" is only in the English text of a translated page
    assert "Ninguna página coincide con «sick»." in response.content.decode()


def test_pages_without_a_spanish_text_are_found_in_english_after_the_spanish_ones(client, content):
    response = spanish_search(client, "nausea")
    results = response.context["results"]
    assert [(result["url"], result["lang"]) for result in results] == [
        ("/es/articles/side-effects/", ""),
        ("/es/articles/getting-home/", "en"),
    ]
    html = response.content.decode()
    assert "En inglés" in html
    assert '<a href="/es/articles/getting-home/" lang="en">Getting home</a>' in html
    assert 'lang="en">You need a ride home. Bring a driver. You may feel <mark>nausea</mark> in the car.</p>' in html


def test_a_translation_behind_a_material_change_is_not_searched_its_english_source_is(client, content):
    article, *_ = content
    new_source_version(article, material=True, text=" New safety text about vomiting.")
    results = spanish_search(client, "vomitar").context["results"]
    assert results == []  # the stale Spanish text is not shown to patients, so it is not found
    results = spanish_search(client, "vomiting").context["results"]
    assert [(result["url"], result["lang"]) for result in results] == [("/es/articles/side-effects/", "en")]


def test_after_a_non_material_change_the_translation_is_still_searched(client, content):
    article, *_ = content
    new_source_version(article, material=False)
    results = spanish_search(client, "vomitar").context["results"]
    assert [(result["url"], result["lang"]) for result in results] == [("/es/articles/side-effects/", "")]


def test_spanish_search_never_sees_drafts_or_unapproved_translation_edits(client, content):
    article, _untranslated, _topic, entry = content
    translated = article.translations.get()
    translated.body = "Una edición sin aprobar sobre una jirafa."
    translated.save()
    draft_source = make_article(title="Borrador", slug="borrador", body="jirafa", publish=True)
    make_article_translation(source=draft_source, title="Jirafa", body="jirafa")  # not published
    results = spanish_search(client, "jirafa").context["results"]
    # The draft translation is not shown; its published English source is (it mentions "jirafa").
    assert [(result["url"], result["lang"]) for result in results] == [("/es/articles/borrador/", "en")]
    assert spanish_search(client, "vomitar").context["results"]  # the live Spanish text still matches


def test_english_search_is_unchanged(client, content):
    results = english_search(client, "nausea").context["results"]
    assert [result["url"] for result in results] == ["/articles/getting-home/", "/articles/side-effects/"]
    assert english_search(client, "vomitar").context["results"] == []  # Spanish texts are not searched in English


# Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\x00\x01"])
def test_empty_spanish_search_asks_for_words_in_spanish(client, query):
    response = spanish_search(client, query)
    assert response.status_code == 200
    assert "Escriba una o dos palabras" in response.content.decode()


def test_a_long_spanish_search_gets_a_clear_message(client, content):
    response = spanish_search(client, "náusea " * 30)
    assert response.status_code == 200
    assert "Use una búsqueda más corta, de 100 caracteres como máximo." in response.content.decode()
    assert len(response.context["query"]) == SEARCH_MAX_LENGTH


@pytest.mark.parametrize("query", ["<b>", '<script>alert("x")</script>', "a[b", "(?i)", "\\w+", "%_", "ß ﬁ", "\u0301"])
def test_spanish_search_escapes_and_treats_every_character_as_text(client, content, query):
    make_article(title="Tags <b>here</b>", body="Write <not a tag> & more", slug="tags", publish=True)
    response = spanish_search(client, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    if query == "<b>":
        assert "Tags <mark>&lt;b&gt;here</mark>&lt;/b&gt;" in html


# Queries ---------------------------------------------------------------------------------------------------


def more_pages(count):
    topic = make_topic(title="Más", slug="mas")
    for number in range(count):
        article = make_article(slug=f"extra-{number}", body="nausea", publish=True)
        if number % 2:
            make_article_translation(source=article, body="náusea", publish=True)
        entry = make_entry(topic=topic, slug=f"extra-{number}", answer="nausea", publish=True)
        if number % 2:
            make_entry_translation(source=entry, answer="náusea", publish=True)


def test_spanish_search_queries_do_not_grow_with_the_results(client, content, django_assert_num_queries):
    spanish_search(client, "nausea")  # the session, the phone number and other per-process reads settle
    caches["pages"].clear()
    with django_assert_num_queries(SPANISH_SEARCH_QUERIES):
        results = spanish_search(client, "nausea").context["results"]
    assert len(results) == 2
    more_pages(6)
    caches["pages"].clear()
    with django_assert_num_queries(SPANISH_SEARCH_QUERIES_WITH_QUESTIONS):
        results = spanish_search(client, "nausea").context["results"]
    assert len(results) == 2 + 12
    assert [result["lang"] for result in results] == [""] * 7 + ["en"] * 7


SPANISH_SEARCH_QUERIES = 4  # articles translated, articles in English; FAQ entries translated, in English
# + the FAQ topics' headings (their Spanish translations are one more when a topic has a heading)
SPANISH_SEARCH_QUERIES_WITH_QUESTIONS = 5


def test_text_written_with_decomposed_accents_is_found_and_highlighted(client):
    article = make_article(slug="nfd", publish=True)
    body = unicodedata.normalize("NFD", "Puede sentir náusea y mareo.")
    make_article_translation(source=article, title="Mareo", summary="Resumen.", body=body, publish=True)
    response = spanish_search(client, "NÁUSEA")
    assert [result["url"] for result in response.context["results"]] == ["/es/articles/nfd/"]
    assert f"<mark>{unicodedata.normalize('NFD', 'náusea')}</mark>" in response.content.decode()


def test_questions_say_their_topic_in_spanish_and_the_queries_stay_few(client, content, django_assert_num_queries):
    from faq.tests.test_translations import translated_heading

    _article, _untranslated, topic, _entry = content
    translated_heading(topic, title="Spravato en español")
    spanish_search(client, "medico")
    caches["pages"].clear()
    with django_assert_num_queries(SPANISH_SEARCH_QUERIES_WITH_QUESTIONS + 1):  # + the headings' translations
        response = spanish_search(client, "medico")
    assert [result["url"] for result in response.context["results"]] == ["/es/faq/spravato/#stay"]
    assert "Pregunta · Spravato en español" in response.content.decode()

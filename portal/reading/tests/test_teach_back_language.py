"""Teach-back questions are translated with the page (issue 13): a patient reading a current translation answers
that translation's questions (explanations and section links in their language, pointing at the translated page's
headings); a patient given the English page (no current translation, or a translation without questions) answers
the source's. Answers are checked against the questions shown now."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.content.services import content_publish
from portal.content.tests.factories import make_article_translation, make_entry_translation
from portal.reading.models import ReadingRecord, TeachBackAnswer, TreatmentSession
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
    open_link,
    page_form,
)

pytestmark = pytest.mark.django_db

BODY = "## Getting home\n\nDo not drive until the next day, after restful sleep."
QUESTIONS = """? When may you drive after a session?
- As soon as you leave
+ The next day, after a restful sleep
= The medicine can make you sleepy until the next day.
# Getting home
"""
CUERPO = "## Volver a casa\n\nNo maneje hasta el día siguiente, después de dormir bien."
PREGUNTAS = """? ¿Cuándo puede manejar después de una sesión?
- En cuanto sale de la clínica
+ Al día siguiente, después de dormir bien
= La medicina le puede dar sueño hasta el día siguiente.
# Volver a casa
"""


def reader(language, *pages):
    session, token = make_session(
        treatment=make_treatment(*pages), patient=make_patient(preferred_language=language), scheduled_at=in_days(1)
    )
    browser = Client()
    open_link(browser, token)
    return browser, session.items.order_by("position").first()


@pytest.fixture
def article():
    return make_reading_article(title="Treatment day", body=BODY, teach_back=QUESTIONS)


def translate(article, **fields):
    return make_article_translation(source=article, title="El día del tratamiento", body=CUERPO, publish=True, **fields)


def item_html(browser, item):
    return browser.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()


def acknowledge(browser, item):
    response = browser.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), page_form(browser, item))
    assert response.status_code == 302, response.status_code
    return response


def answer(browser, item, question, choice):
    return browser.post(reverse("patient:teach_back", kwargs={"pk": item.pk}), {f"answer-{question['key']}": choice})


def is_done(item):
    return TreatmentSession.objects.with_completion().get(pk=item.session_id).items_done == 1


def test_a_spanish_patient_answers_the_translations_questions_in_spanish(article):
    translation = translate(article, teach_back=PREGUNTAS)
    (pregunta,) = translation.live_teach_back
    (question,) = article.live_teach_back
    assert pregunta["anchor"] and pregunta["anchor"] != question["anchor"]
    browser, item = reader("es", article)
    assert acknowledge(browser, item)["Location"].endswith("#teach-back")
    html = item_html(browser, item)
    assert pregunta["question"] in html and question["question"] not in html
    assert f'name="answer-{pregunta["key"]}"' in html

    response = answer(browser, item, pregunta, 0)  # wrong
    assert response.status_code == 302 and not is_done(item)
    html = item_html(browser, item)
    assert "La medicina le puede dar sueño hasta el día siguiente." in html
    assert "The medicine can make you sleepy" not in html
    # the link goes to the translated page's section, which the page shows
    assert f'href="#{pregunta["anchor"]}"' in html and f'id="{pregunta["anchor"]}"' in html
    assert "Volver a casa" in html

    response = answer(browser, item, pregunta, 1)  # right
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    assert is_done(item)
    tries = list(TeachBackAnswer.objects.filter(item=item).order_by("attempt"))
    assert [(a.question, a.correct) for a in tries] == [(pregunta["question"], False), (pregunta["question"], True)]


def test_two_wrong_tries_in_spanish_are_done_and_flagged(article):
    translation = translate(article, teach_back=PREGUNTAS)
    (pregunta,) = translation.live_teach_back
    browser, item = reader("es", article)
    acknowledge(browser, item)
    answer(browser, item, pregunta, 0)
    answer(browser, item, pregunta, 0)
    record = ReadingRecord.objects.get(item=item)
    assert is_done(item) and record.teach_back_needed_help and not record.teach_back_pending


def test_after_a_material_change_the_spanish_patient_gets_the_english_questions(article):
    translation = translate(article, teach_back=PREGUNTAS)
    (pregunta,) = translation.live_teach_back
    (question,) = article.live_teach_back
    article.body += "\n\nNew safety text."
    article.save()
    content_publish(content=article, by=None, material_change=True)
    browser, item = reader("es", article)
    acknowledge(browser, item)
    html = item_html(browser, item)
    assert question["question"] in html and pregunta["question"] not in html
    assert answer(browser, item, pregunta, 1).status_code == 409  # not the question shown
    assert not TeachBackAnswer.objects.exists()
    answer(browser, item, question, 1)
    assert is_done(item)


def test_an_english_patient_gets_the_english_questions(article):
    translation = translate(article, teach_back=PREGUNTAS)
    (pregunta,) = translation.live_teach_back
    (question,) = article.live_teach_back
    browser, item = reader("en", article)
    acknowledge(browser, item)
    html = item_html(browser, item)
    assert question["question"] in html and pregunta["question"] not in html
    answer(browser, item, question, 0)
    html = item_html(browser, item)
    assert "The medicine can make you sleepy until the next day." in html
    assert f'href="#{question["anchor"]}"' in html
    answer(browser, item, question, 1)
    assert is_done(item)


def test_a_translation_without_questions_keeps_the_sources(article):
    translate(article)
    (question,) = article.live_teach_back
    browser, item = reader("es", article)
    acknowledge(browser, item)
    html = item_html(browser, item)
    assert "El día del tratamiento" in html and question["question"] in html
    answer(browser, item, question, 1)
    assert is_done(item)


def test_a_translation_approved_between_showing_and_answering_shows_its_questions(article):
    (question,) = article.live_teach_back
    browser, item = reader("es", article)  # no translation yet: the English page and questions
    acknowledge(browser, item)
    assert question["question"] in item_html(browser, item)
    translation = translate(article, teach_back=PREGUNTAS)
    (pregunta,) = translation.live_teach_back
    response = answer(browser, item, question, 1)
    html = response.content.decode()
    assert response.status_code == 409 and pregunta["question"] in html and question["question"] not in html
    assert not TeachBackAnswer.objects.exists() and not is_done(item)
    answer(browser, item, pregunta, 1)
    assert is_done(item)


def test_an_faq_answer_translated_with_questions_asks_them_and_links_to_the_answer():
    topic = make_reading_topic(title="Common questions", entries=1)
    entry = topic.entries.get()
    entry.teach_back = (
        f"? Who gives the spray?\n- You at home\n+ The clinic\n= You take it at the clinic.\n# {entry.question}\n"
    )
    entry.save()
    content_publish(content=entry, by=None)
    translation = make_entry_translation(
        source=entry,
        question="¿Quién da el aerosol?",
        answer="La clínica.",
        teach_back="? ¿Quién da el aerosol?\n- Usted en casa\n+ La clínica\n= Lo recibe en la clínica.\n"
        "# ¿Quién da el aerosol?\n",
        publish=True,
    )
    (pregunta,) = translation.live_teach_back
    browser, item = reader("es", topic)
    acknowledge(browser, item)
    assert pregunta["question"] in item_html(browser, item)
    answer(browser, item, pregunta, 0)
    html = item_html(browser, item)
    assert "Lo recibe en la clínica." in html and f'href="#{entry.slug}"' in html and f'id="{entry.slug}"' in html
    answer(browser, item, pregunta, 1)
    assert is_done(item)

"""Patient questions: the same open question on a page is stored once; a session has a limit of open questions.
(The same under concurrent requests: test_concurrency.py.)"""

import pytest
from django.urls import reverse

from portal.reading.models import PatientQuestion
from portal.reading.services.sessions import (
    MAX_OPEN_QUESTIONS_PER_SESSION,
    TooManyOpenQuestions,
    question_mark_answered,
    record_ask_question,
)
from portal.reading.tests.factories import make_reading_article, make_session, make_treatment, page_form

pytestmark = pytest.mark.django_db


def ask(client, item, text):
    fields = page_form(client, item)
    return client.post(reverse("patient:question", kwargs={"pk": item.pk}), {**fields, "text": text})


def test_the_same_open_question_is_stored_once_whatever_its_case_and_spacing(reading):
    item = reading[2][0]

    first = record_ask_question(item=item, text="Can I drive home?")
    again = record_ask_question(item=item, text="  can I   DRIVE home? ")

    assert again.pk == first.pk
    assert list(PatientQuestion.objects.values_list("text", flat=True)) == ["Can I drive home?"]
    assert record_ask_question(item=reading[2][1], text="Can I drive home?").pk != first.pk  # another page


def test_once_answered_the_same_question_can_be_asked_again(reading):
    item = reading[2][0]
    first = record_ask_question(item=item, text="Can I drive home?")
    question_mark_answered(question=first, by=None)

    second = record_ask_question(item=item, text="Can I drive home?")

    assert second.pk != first.pk and PatientQuestion.objects.count() == 2


def test_sending_the_same_question_twice_thanks_the_patient_twice_and_stores_it_once(reading, patient):
    item = reading[2][0]

    responses = [ask(patient, item, "Is it safe with my tablets?") for _ in range(2)]

    assert [response.status_code for response in responses] == [302, 302]
    assert PatientQuestion.objects.filter(item=item).count() == 1


def test_a_session_with_the_most_open_questions_gets_a_friendly_message_and_nothing_more_is_stored(reading, patient):
    session, _, items = reading
    for number in range(MAX_OPEN_QUESTIONS_PER_SESSION):
        record_ask_question(item=items[number % len(items)], text=f"Question number {number}")

    response = ask(patient, items[0], "One more question?")

    assert response.status_code == 429
    html = response.content.decode()
    assert f"You have sent {MAX_OPEN_QUESTIONS_PER_SESSION} questions that the clinic team has not answered yet" in html
    assert 'aria-invalid="true"' in html and "One more question?" in html  # the text is kept in the form
    assert PatientQuestion.objects.filter(item__session=session).count() == MAX_OPEN_QUESTIONS_PER_SESSION
    with pytest.raises(TooManyOpenQuestions):
        record_ask_question(item=items[1], text="And another?")

    question_mark_answered(question=PatientQuestion.objects.first(), by=None)  # answering frees a place
    assert ask(patient, items[0], "One more question?").status_code == 302


def test_the_limit_is_per_session():
    treatment = make_treatment(make_reading_article())
    busy, _ = make_session(treatment=treatment)
    for number in range(MAX_OPEN_QUESTIONS_PER_SESSION):
        record_ask_question(item=busy.items.get(), text=f"Question {number}")
    other, _ = make_session(treatment=treatment)

    assert record_ask_question(item=other.items.get(), text="Question 0").item.session == other

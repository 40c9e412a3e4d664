"""Patient pages: the reading list, a page with its content and forms (acknowledge, question)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.content.services import content_archive
from portal.content.tests.factories import make_entry, make_user
from portal.reading.models import PatientQuestion, ReadingRecord, SessionItem
from portal.reading.services.sessions import record_acknowledge
from portal.reading.tests.factories import (
    CSRF_RE,
    beacon,
    csrf_token,
    make_session,
    page_form,
)

pytestmark = pytest.mark.django_db


def test_the_reading_list_shows_the_session_time_items_in_order_with_time_state_and_required(reading, patient):
    session, _, items = reading
    record_acknowledge(item=SessionItem.objects.select_related("article").get(pk=items[0].pk))

    response = patient.get(reverse("patient:session"))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    local = timezone.localtime(session.scheduled_at)
    assert f"Before your session on {local:%A, %B} {local.day} at 10:00 AM" in html
    titles = [html.index(title) for title in ("How the treatment works", "Common questions", "Extra reading")]
    assert titles == sorted(titles)
    assert "About 2 minutes" in html  # 400 words at 200 a minute
    assert html.count("· Please read</span>") == 2 and html.count("· Optional</span>") == 1
    assert "reading-item-done" in html and html.count("reading-item-not_started") == 2
    assert "1 of 2 done" in html


def test_opening_a_page_moves_it_to_in_progress(reading, patient):
    """Opened = the page's script reported it seen (its first report, 0 seconds), not the GET itself."""
    item = reading[2][1]
    form = page_form(patient, item)
    beacon(patient, item, form["csrfmiddlewaretoken"], seconds="0", shown=form["shown"])

    html = patient.get(reverse("patient:session")).content.decode()
    assert f'id="item-{item.pk}" class="reading-item reading-item-in_progress"' in html


# A page ---------------------------------------------------------------------------------------------


def test_an_article_page_shows_its_content_contents_list_forms_and_script(reading, patient):
    article_item = reading[2][0]

    response = patient.get(reverse("patient:item", kwargs={"pk": article_item.pk}))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert article_item.article.live_html in html
    assert 'aria-label="On this page"' in html
    assert "I have read and understood this" in html
    assert "I have a question about this" in html
    assert f'data-progress-url="{reverse("patient:progress", kwargs={"pk": article_item.pk})}"' in html
    assert re.search(r'<script src="[^"]*js/progress\.js" defer></script>', html)
    assert "<script>" not in html and "style=" not in html
    assert not ReadingRecord.objects.filter(item=article_item).exists()  # a GET writes nothing
    shown = re.search(r'data-progress-shown="([^"]+)"', html).group(1)
    beacon(patient, article_item, CSRF_RE.search(html).group(1), seconds="0", shown=shown)
    record = ReadingRecord.objects.get(item=article_item)
    assert record.opened_at is not None and record.content_version == 1


def test_the_question_box_says_what_to_do_when_it_cannot_wait(reading, patient):
    html = patient.get(reverse("patient:item", kwargs={"pk": reading[2][0].pk})).content.decode()
    box = html[html.index('id="question-help"') : html.index("</p>", html.index('id="question-help"'))]
    assert 'If you have thoughts of hurting yourself, call or text <a href="tel:988">988</a>' in box
    assert 'In an emergency, call <a href="tel:911">911</a>' in box


def test_a_faq_page_shows_only_the_topics_published_entries(reading, patient):
    topic_item = reading[2][1]
    draft = make_entry(topic=topic_item.faq_topic, question="A draft question?")

    html = patient.get(reverse("patient:item", kwargs={"pk": topic_item.pk})).content.decode()

    for entry in topic_item.faq_topic.live_entries():
        assert entry.live_title in html and entry.live_html in html
    assert draft.question not in html


def test_a_page_withdrawn_after_the_session_was_made_says_so_and_records_nothing(reading, patient):
    article_item = reading[2][0]
    content_archive(content=article_item.article, by=make_user(superuser=True))

    html = patient.get(reverse("patient:item", kwargs={"pk": article_item.pk})).content.decode()

    assert "not available right now" in html
    assert "I have read and understood this" not in html
    assert not ReadingRecord.objects.filter(item=article_item).exists()


def test_another_sessions_item_is_not_found_on_every_patient_url(reading, patient):
    other_session, _ = make_session()
    other = other_session.items.get()
    token = csrf_token(patient, reading[2][0])

    responses = [
        patient.get(reverse("patient:item", kwargs={"pk": other.pk})),
        patient.post(reverse("patient:acknowledge", kwargs={"pk": other.pk}), {"csrfmiddlewaretoken": token}),
        patient.post(
            reverse("patient:question", kwargs={"pk": other.pk}), {"csrfmiddlewaretoken": token, "text": "Hi"}
        ),
        beacon(patient, other, token),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert not ReadingRecord.objects.filter(item=other).exists()
    assert not PatientQuestion.objects.filter(item=other).exists()


def test_acknowledging_without_javascript_is_a_form_post_that_marks_the_page_done(reading, patient):
    item = reading[2][0]
    form = page_form(patient, item)

    response = patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), form)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('patient:session')}#item-{item.pk}"
    record = ReadingRecord.objects.get(item=item)
    assert record.acknowledged_at is not None and record.end_reached_at is not None
    assert record.seconds_visible == 0 and record.reading_seconds is not None
    html = patient.get(response["Location"]).content.decode()
    assert "is marked as read" in html
    assert "1 of 2 done" in html


def test_forms_are_csrf_protected(reading, patient):
    item = reading[2][0]
    patient.get(reverse("patient:item", kwargs={"pk": item.pk}))

    assert patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk})).status_code == 403
    assert patient.post(reverse("patient:progress", kwargs={"pk": item.pk}), {"seconds": "5"}).status_code == 403
    assert not ReadingRecord.objects.filter(item=item, acknowledged_at__isnull=False).exists()


def test_asking_a_question_sends_it_to_staff_and_leaves_the_page_not_done(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)

    response = patient.post(
        reverse("patient:question", kwargs={"pk": item.pk}),
        {"csrfmiddlewaretoken": token, "text": "  Can I drive the next day?  "},
    )

    assert response.status_code == 302
    question = PatientQuestion.objects.get(item=item)
    assert question.text == "Can I drive the next day?"
    assert ReadingRecord.objects.get(item=item).acknowledged_at is None
    html = patient.get(response["Location"]).content.decode()
    assert "Your question has gone to the clinic team" in html
    assert "I have read and understood this" in html


def test_an_empty_question_gets_a_message_not_an_error(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)

    response = patient.post(
        reverse("patient:question", kwargs={"pk": item.pk}), {"csrfmiddlewaretoken": token, "text": "   "}
    )

    assert response.status_code == 400
    assert "Please write your question" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PatientQuestion.objects.exists()


def test_a_too_long_question_is_refused(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)

    response = patient.post(
        reverse("patient:question", kwargs={"pk": item.pk}), {"csrfmiddlewaretoken": token, "text": "x" * 2001}
    )

    assert response.status_code == 400
    assert not PatientQuestion.objects.exists()


def test_get_is_not_allowed_on_the_form_and_beacon_urls(reading, patient):
    item = reading[2][0]
    for name in ("patient:acknowledge", "patient:question", "patient:progress"):
        assert patient.get(reverse(name, kwargs={"pk": item.pk})).status_code == 405


def test_an_item_page_is_the_session_read_and_one_query_for_everything_it_shows(
    reading, patient, django_assert_num_queries
):
    """The most viewed patient page: the item, its session and link check, its place in the list and the next
    page come from ONE query (plus the Django session; an FAQ page adds its availability and its entries);
    nothing is written."""
    article_item, topic_item, _ = reading[2]
    patient.get(reverse("patient:item", kwargs={"pk": article_item.pk}))  # the CSRF cookie is set once
    with django_assert_num_queries(2):
        response = patient.get(reverse("patient:item", kwargs={"pk": article_item.pk}))
    assert response.status_code == 200
    assert "Page 1 of 3" in response.content.decode() and topic_item.title in response.content.decode()
    with django_assert_num_queries(4):
        assert patient.get(reverse("patient:item", kwargs={"pk": topic_item.pk})).status_code == 200

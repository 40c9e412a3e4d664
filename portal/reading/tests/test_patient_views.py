"""Patient pages: the private link, the reading list, a page with its forms, and the progress beacon."""

import logging
import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.content.services import content_archive
from portal.content.tests.factories import make_entry, make_user
from portal.reading.models import PatientQuestion, ProgressReport, ReadingRecord, SessionItem
from portal.reading.services.sessions import record_acknowledge, session_issue_link, session_revoke_link
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
    open_link,
)

pytestmark = pytest.mark.django_db

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def reading():
    """A session tomorrow with a required article, a required FAQ page and an optional article."""
    article = make_reading_article(title="How the treatment works", word_count=400)
    topic = make_reading_topic(title="Common questions", entries=2)
    optional = make_reading_article(title="Extra reading")
    treatment = make_treatment(article, topic, (optional, False, "every"))
    session, token = make_session(treatment=treatment, patient=make_patient(display_name="Jordan Example"))
    items = list(session.items.order_by("position"))
    return session, token, items


@pytest.fixture
def patient(reading):
    """A browser that opened the link, with CSRF checks on as in production."""
    client = Client(enforce_csrf_checks=True)
    open_link(client, reading[1])
    return client


def csrf_token(client, item):
    response = client.get(reverse("patient:item", kwargs={"pk": item.pk}))
    return CSRF_RE.search(response.content.decode()).group(1)


def beacon(client, item, token, **fields):
    data = {"csrfmiddlewaretoken": token, "client_id": str(uuid.uuid4()), "seconds": "15", "reached_end": "false"}
    data.update(fields)
    return client.post(reverse("patient:progress", kwargs={"pk": item.pk}), data)


# The link -------------------------------------------------------------------------------------------


def end_link(session, action):
    """End the session's link as the clinic can: "revoke" it, "reissue" a new one, or let it "expire"."""
    if action == "revoke":
        session_revoke_link(session=session)
    elif action == "reissue":
        session_issue_link(session=session)
    else:
        session.link_expires_at = timezone.now() - timezone.timedelta(seconds=1)
        session.save()


def test_a_valid_link_starts_a_patient_session_and_redirects_to_a_url_without_the_token(reading, client):
    session, token, _ = reading
    client.get(reverse("home"))
    before = client.cookies.get("sessionid")

    response = client.get(reverse("patient:open", kwargs={"token": token}))

    assert response.status_code == 302
    assert response["Location"] == reverse("patient:session")
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert client.session["patient_session_id"] == session.pk


@pytest.mark.parametrize("case", ["unknown", "expired", "revoked", "replaced"])
def test_unknown_expired_revoked_and_replaced_links_get_the_same_friendly_404(reading, client, case):
    session, token, _ = reading
    if case == "unknown":
        token = "x" * 43
    elif case == "expired":
        session.link_expires_at = timezone.now() - timezone.timedelta(minutes=1)
        session.save()
    elif case == "revoked":
        session_revoke_link(session=session)
    else:
        session_issue_link(session=session)

    response = client.get(reverse("patient:open", kwargs={"token": token}))

    assert response.status_code == 404
    assert response["Referrer-Policy"] == "no-referrer"
    assert "please ask the clinic for a new link" in response.content.decode().lower()
    assert f'href="{response.context["clinic_phone_href"]}"' in response.content.decode()
    assert "patient_session_id" not in client.session


@pytest.mark.parametrize("action", ["revoke", "reissue", "expire"])
def test_ending_the_link_ends_browsers_that_already_opened_it(reading, patient, action):
    session = reading[0]
    assert patient.get(reverse("patient:session")).status_code == 200

    end_link(session, action)

    response = patient.get(reverse("patient:session"))
    assert response.status_code == 404
    assert "new link" in response.content.decode()


def test_patient_pages_without_a_link_session_get_the_friendly_404(reading, client):
    item = reading[2][0]
    for url in (reverse("patient:session"), reverse("patient:item", kwargs={"pk": item.pk})):
        response = client.get(url)
        assert response.status_code == 404
        assert "new link" in response.content.decode()


def test_a_bad_link_is_logged_without_its_token(client, caplog):
    token = "SecretGuess" + "A" * 32
    django_logger = logging.getLogger("django")
    # caplog's handler goes after the configured console handler, whose filter redacts the record.
    django_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            response = client.get(reverse("patient:open", kwargs={"token": token}))
    finally:
        django_logger.removeHandler(caplog.handler)

    assert response.status_code == 404
    messages = [record.getMessage() for record in caplog.records]
    assert any("Not Found: /p/[redacted]" in message for message in messages), messages
    assert token not in caplog.text


def test_no_log_line_carries_a_token_or_a_patient_name_through_a_whole_visit(reading, caplog):
    session, token, items = reading
    django_logger = logging.getLogger("django")
    django_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG):
            client = Client(enforce_csrf_checks=True)
            open_link(client, token)
            client.get(reverse("patient:session"))
            csrf = csrf_token(client, items[0])
            beacon(client, items[0], csrf)
            beacon(client, items[0], csrf, seconds="-1")  # 400, logged as a bad request
            client.post(reverse("patient:question", kwargs={"pk": items[0].pk}), {"csrfmiddlewaretoken": csrf})
            client.post(reverse("patient:acknowledge", kwargs={"pk": items[0].pk}), {"csrfmiddlewaretoken": csrf})
            client.get(reverse("patient:item", kwargs={"pk": 999_999}))
            staff = Client()
            staff.force_login(make_user(superuser=True))
            staff.get(reverse("staff:dashboard"))
            staff.get(reverse("staff:session", kwargs={"pk": session.pk}))
    finally:
        django_logger.removeHandler(caplog.handler)

    assert caplog.records, "expected at least the 400/404 lines"
    assert token not in caplog.text
    assert "Jordan Example" not in caplog.text
    assert session.patient.reference not in caplog.text


# The reading list -----------------------------------------------------------------------------------


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
    item = reading[2][1]
    patient.get(reverse("patient:item", kwargs={"pk": item.pk}))

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
    record = ReadingRecord.objects.get(item=article_item)
    assert record.opened_at is not None and record.content_version == 1


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
    token = csrf_token(patient, item)

    response = patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), {"csrfmiddlewaretoken": token})

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
    assert ReadingRecord.objects.get(item=item).acknowledged_at is None


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


# The beacon -----------------------------------------------------------------------------------------


def test_a_beacon_report_adds_visible_seconds_and_the_end_and_answers_204(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)

    first = beacon(patient, item, token, seconds="15")
    second = beacon(patient, item, token, seconds="9", reached_end="true")

    assert (first.status_code, second.status_code) == (204, 204)
    record = ReadingRecord.objects.get(item=item)
    assert record.seconds_visible == 24
    assert record.end_reached_at is not None
    assert record.measured_by_script


def test_a_resent_beacon_report_is_counted_once(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)
    client_id = str(uuid.uuid4())

    responses = [beacon(patient, item, token, client_id=client_id, seconds="15") for _ in range(3)]

    assert [response.status_code for response in responses] == [204, 204, 204]
    assert ReadingRecord.objects.get(item=item).seconds_visible == 15
    assert ProgressReport.objects.filter(item=item).count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"seconds": "-1"},
        {"seconds": "3601"},
        {"seconds": "ten"},
        {"seconds": ""},
        {"seconds": "1.5"},
        {"reached_end": "maybe"},
        {"client_id": ""},
        {"client_id": "short"},
        {"client_id": "has spaces in it, and commas!!"},
        {"client_id": "x" * 65},
    ],
)
def test_a_malformed_beacon_report_gets_400_and_changes_nothing(reading, patient, fields):
    item = reading[2][0]
    token = csrf_token(patient, item)
    before = ReadingRecord.objects.get(item=item)

    response = beacon(patient, item, token, **fields)

    assert response.status_code == 400
    after = ReadingRecord.objects.get(item=item)
    assert (after.seconds_visible, after.end_reached_at, after.updated_at) == (
        before.seconds_visible,
        before.end_reached_at,
        before.updated_at,
    )
    assert not ProgressReport.objects.exists()


def test_an_oversized_beacon_body_gets_400_and_changes_nothing(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)

    response = beacon(patient, item, token, padding="x" * 10_000)

    assert response.status_code == 400
    assert ReadingRecord.objects.get(item=item).seconds_visible == 0
    assert not ProgressReport.objects.exists()


def test_a_beacon_without_a_link_session_is_not_found(reading):
    item = reading[2][0]
    client = Client()
    response = client.post(
        reverse("patient:progress", kwargs={"pk": item.pk}),
        {"client_id": str(uuid.uuid4()), "seconds": "5", "reached_end": "false"},
    )
    assert response.status_code == 404
    assert not ReadingRecord.objects.filter(item=item).exists()


@pytest.mark.parametrize("action", ["revoke", "reissue", "expire"])
def test_a_beacon_after_the_link_ended_gets_the_friendly_404_and_counts_nothing(reading, patient, action):
    session, _, items = reading
    item = items[0]
    token = csrf_token(patient, item)
    end_link(session, action)

    response = beacon(patient, item, token)

    assert response.status_code == 404
    assert "new link" in response.content.decode()
    assert ReadingRecord.objects.get(item=item).seconds_visible == 0
    assert not ProgressReport.objects.exists()


FIRST_TABLE_RE = re.compile(r'(?:FROM|INTO|UPDATE) "(\w+)"')
TRANSACTION_CONTROL = {"SAVEPOINT": "begin", "BEGIN": "begin", "RELEASE": "commit", "COMMIT": "commit"}


def statements(queries):
    """Each SQL statement as "VERB table" (the first table it reads or writes), or "begin" / "commit"."""
    described = []
    for query in queries:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        if verb in TRANSACTION_CONTROL:
            described.append(TRANSACTION_CONTROL[verb])
        else:
            described.append(f"{verb} {FIRST_TABLE_RE.search(sql).group(1)}")
    return described


def test_a_beacon_is_two_reads_and_one_transaction_of_two_writes_and_never_saves_the_session(reading, patient):
    """The busiest patient request: the Django session, the item checked against the link in one query, then the
    report and the record in one transaction; the same for the first report and the twentieth."""
    item = reading[2][0]
    token = csrf_token(patient, item)
    expected = [
        "SELECT django_session",
        "SELECT reading_sessionitem",
        "begin",
        "INSERT reading_progressreport",
        "UPDATE reading_readingrecord",
        "commit",
    ]

    for number in range(20):
        with CaptureQueriesContext(connection) as queries:
            response = beacon(patient, item, token, seconds="3")
        assert response.status_code == 204
        if number in (0, 19):
            assert statements(queries) == expected
            assert "reading_treatmentsession" in queries[1]["sql"]  # the link is checked in the same query
            assert settings.SESSION_COOKIE_NAME not in response.cookies

    assert ReadingRecord.objects.get(item=item).seconds_visible == 60


def test_seconds_measured_by_the_script_are_used_instead_of_open_to_acknowledge(reading, patient):
    item = reading[2][0]
    token = csrf_token(patient, item)
    beacon(patient, item, token, seconds="200")
    patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), {"csrfmiddlewaretoken": token})

    record = ReadingRecord.objects.get(item=item)
    assert record.reading_seconds == 200


# Leaving --------------------------------------------------------------------------------------------


def test_signing_out_forgets_the_link_on_this_device_but_the_link_still_works(reading, patient):
    token = CSRF_RE.search(patient.get(reverse("patient:session")).content.decode()).group(1)

    response = patient.post(reverse("patient:sign_out"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert patient.get(reverse("patient:session")).status_code == 404
    open_link(patient, reading[1])
    assert patient.get(reverse("patient:session")).status_code == 200


def test_a_session_with_nothing_to_read_says_so(client):
    session, token = make_session(treatment=make_treatment(), scheduled_at=in_days(2))
    open_link(client, token)

    html = client.get(reverse("patient:session")).content.decode()

    assert "There is nothing to read for this session" in html

"""Staff dashboard: sessions and readiness, a session's records, links, questions, CSV export, access, queries."""

import csv
import datetime
import io
import re
from html import unescape as html_unescape
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.content.services import content_publish
from portal.reading.models import PatientQuestion, SessionItem, TreatmentSession
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
    session_issue_link,
)
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_staff,
    make_treatment,
    open_link,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    """A Clinic staff member's browser (a client of its own, apart from any patient's `client`)."""
    browser = Client()
    browser.force_login(make_staff("Clinic staff"))
    return browser


@pytest.fixture
def treatment():
    return make_treatment(
        make_reading_article(title="How it works", word_count=1000),
        make_reading_article(title="Treatment day"),
        make_reading_topic(title="Questions"),
    )


def items_of(session):
    return list(SessionItem.objects.filter(session=session).select_related("article", "faq_topic").order_by("position"))


def read_all(session, *, but=0):
    items = items_of(session)
    for item in items[: len(items) - but]:
        record_acknowledge(item=item)
    return items


STAFF_GET_URLS = [
    ("staff:dashboard", {}),
    ("staff:questions", {}),
    ("staff:sessions_csv", {}),
    ("staff:session", {"pk": 0}),
]
STAFF_POST_URLS = [
    ("staff:issue_link", {"pk": 0}),
    ("staff:revoke_link", {"pk": 0}),
    ("staff:email_link", {"pk": 0}),
    ("staff:question_answered", {"pk": 0}),
]


def resolve(name, kwargs, session, question):
    if "pk" in kwargs:
        kwargs = {"pk": question.pk if name == "staff:question_answered" else session.pk}
    return reverse(name, kwargs=kwargs)


# Access ---------------------------------------------------------------------------------------------


@pytest.fixture
def session_and_question(treatment):
    session, _ = make_session(treatment=treatment)
    question = record_ask_question(item=session.items.first(), text="Is it safe?")
    return session, question


@pytest.mark.parametrize(("name", "kwargs"), STAFF_GET_URLS + STAFF_POST_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, session_and_question, name, kwargs):
    url = resolve(name, kwargs, *session_and_question)
    response = client.post(url) if (name, kwargs) in STAFF_POST_URLS else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("group", ["Editor", "Clinical reviewer", None])
@pytest.mark.parametrize(("name", "kwargs"), STAFF_GET_URLS + STAFF_POST_URLS)
def test_staff_without_the_patient_data_permission_get_403(client, session_and_question, group, name, kwargs):
    client.force_login(make_staff(group))
    url = resolve(name, kwargs, *session_and_question)
    response = client.post(url) if (name, kwargs) in STAFF_POST_URLS else client.get(url)

    assert response.status_code == 403
    session, question = session_and_question
    question.refresh_from_db()
    assert question.answered_at is None
    assert not AuditEvent.objects.exists()


# Dashboard ------------------------------------------------------------------------------------------


def test_the_dashboard_lists_today_and_the_next_7_days_with_completion_and_questions(staff, treatment):
    yesterday, _ = make_session(treatment=treatment, scheduled_at=in_days(-1))
    today, _ = make_session(treatment=treatment, scheduled_at=in_days(0, hour=0))
    ready, _ = make_session(treatment=treatment, scheduled_at=in_days(2))
    last_day, _ = make_session(treatment=treatment, scheduled_at=in_days(7, hour=23))
    too_late, _ = make_session(treatment=treatment, scheduled_at=in_days(8, hour=0))
    read_all(today, but=1)
    read_all(ready)
    record_ask_question(item=items_of(today)[2], text="When do I stop eating?")

    response = staff.get(reverse("staff:dashboard"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = [session.pk for session in response.context["sessions"]]
    assert shown == [today.pk, ready.pk, last_day.pk]
    html = response.content.decode()
    assert today.patient.display_name in html and too_late.patient.display_name not in html
    assert yesterday.patient.reference not in html
    row_today = html[html.index(today.patient.reference) :]
    assert re.search(r"3 of 3 done.*?Ready", html[html.index(ready.patient.reference) :], re.S)
    assert "2 of 3 done" in row_today[:600] and "Not ready" in row_today[:600] and "1 open" in row_today[:800]


def test_the_dashboard_takes_a_date_range_in_clinic_time(staff, treatment):
    inside, _ = make_session(treatment=treatment, scheduled_at=in_days(20, hour=23))
    make_session(treatment=treatment, scheduled_at=in_days(21, hour=0))
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()

    response = staff.get(reverse("staff:dashboard"), {"from": day, "to": day})

    assert [session.pk for session in response.context["sessions"]] == [inside.pk]
    event = AuditEvent.objects.get(action="dashboard.view")
    assert event.filters == {"from": day, "to": day} and event.row_count == 1


def test_the_dashboard_shows_50_sessions_a_page_with_totals_for_the_whole_range_and_page_links_keeping_it(
    staff, treatment
):
    sessions = [
        make_session(
            treatment=treatment,
            scheduled_at=in_days(10 + number % 3, hour=8) + datetime.timedelta(minutes=30 * (number // 3)),
        )[0]
        for number in range(51)
    ]
    in_order = sorted(sessions, key=lambda session: (session.scheduled_at, session.pk))
    for session in in_order[:2] + in_order[-1:]:
        read_all(session)
    record_ask_question(item=items_of(in_order[0])[0], text="Can I drive home?")
    first_day, last_day = (timezone.localdate() + datetime.timedelta(days=days) for days in (10, 12))
    query = {"from": first_day.isoformat(), "to": last_day.isoformat()}

    first = staff.get(reverse("staff:dashboard"), query)
    second = staff.get(reverse("staff:dashboard"), query | {"page": "2"})

    assert [session.pk for session in first.context["sessions"]] == [session.pk for session in in_order[:50]]
    assert [session.pk for session in second.context["sessions"]] == [in_order[50].pk]
    navs = {}
    for response in (first, second):
        html = response.content.decode()
        assert "3 of 51 sessions ready</strong>, 48 not ready; 1 with open questions" in html
        nav = html[html.index('<nav class="pagination" aria-label="Pages of sessions">') :]
        nav = nav[: nav.index("</nav>")]
        anchors = re.findall(r'<a href="\?([^"]+)"([^>]*)>', nav)
        links = [(parse_qs(html_unescape(href)), rest) for href, rest in anchors]
        assert all(params["from"] == [query["from"]] and params["to"] == [query["to"]] for params, _ in links)
        navs[response] = [(params["page"], rest) for params, rest in links]
    assert navs[first] == [(["1"], ' aria-current="page"'), (["2"], ""), (["2"], ' rel="next"')]
    assert navs[second] == [(["1"], ' rel="prev"'), (["1"], ""), (["2"], ' aria-current="page"')]
    assert "Showing sessions 51 to 51 of 51 (page 2 of 2)" in second.content.decode()
    assert "<title>Sessions, page 2 of 2" in second.content.decode()
    events = AuditEvent.objects.filter(action="dashboard.view").order_by("pk")
    assert [(event.subject, event.row_count, event.filters) for event in events] == [
        ("page=1", 50, query),
        ("page=2", 1, query),
    ]


@pytest.mark.parametrize(("page", "shown"), [("0", 1), ("abc", 1), ("-1", 1), ("999", 2), ("", 1)])
def test_a_page_number_that_does_not_exist_shows_the_nearest_page_not_an_error(
    staff, treatment, monkeypatch, page, shown
):
    monkeypatch.setattr("portal.reading.views.staff.SESSIONS_PER_PAGE", 2)
    for number in range(3):
        make_session(treatment=treatment, scheduled_at=in_days(1, hour=8 + number))

    response = staff.get(reverse("staff:dashboard"), {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == shown


def test_dashboard_queries_are_the_same_on_every_page(staff, treatment, monkeypatch):
    monkeypatch.setattr("portal.reading.views.staff.SESSIONS_PER_PAGE", 2)
    staff.get(reverse("staff:dashboard"))  # warm up the session and content types
    make_busy_sessions(treatment, 5)

    counts = [count_queries(staff, reverse("staff:dashboard"), {"page": page}) for page in ("1", "2", "3")]

    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-02-30"}, "Enter a valid date"),
        ({"from": "yesterday"}, "Enter a valid date"),
        ({"to": "2026/01/01"}, "Enter a valid date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "The end date is before the start date"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most 366 days"),
    ],
)
def test_bad_dates_get_a_message_not_an_error(staff, params, message):
    response = staff.get(reverse("staff:dashboard"), params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.exists()

    csv_response = staff.get(reverse("staff:sessions_csv"), params)
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


def make_busy_sessions(treatment, count):
    for number in range(count):
        session, _ = make_session(treatment=treatment, scheduled_at=in_days(1 + number % 5, hour=8 + number % 9))
        items = items_of(session)
        record_open(item=items[0])
        record_progress(item=items[0], client_id=f"{number:036d}", seconds=30, reached_end=True)
        record_acknowledge(item=items[1])
        record_ask_question(item=items[2], text=f"Question {number}")


def count_queries(client, url, params=None):
    """Queries of one request, including those run while a streamed body (the CSV) is sent."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        response.getvalue()
    assert response.status_code == 200
    return len(queries)


def test_dashboard_and_csv_queries_do_not_grow_with_the_number_of_sessions(staff, treatment):
    staff.get(reverse("staff:dashboard"))  # warm up the session and content types
    make_busy_sessions(treatment, 2)
    small = [count_queries(staff, reverse(name)) for name in ("staff:dashboard", "staff:sessions_csv")]
    make_busy_sessions(treatment, 12)
    large = [count_queries(staff, reverse(name)) for name in ("staff:dashboard", "staff:sessions_csv")]

    assert TreatmentSession.objects.count() == 14
    assert small == large


def test_session_page_and_questions_queue_queries_do_not_grow_with_items_or_questions(staff):
    small_treatment = make_treatment(make_reading_article())
    large_treatment = make_treatment(*[make_reading_article() for _ in range(8)], make_reading_topic())
    counts = []
    for treatment in (small_treatment, large_treatment):
        PatientQuestion.objects.all().delete()
        session, _ = make_session(treatment=treatment)
        for item in items_of(session):
            record_open(item=item)
            record_acknowledge(item=item)
            record_ask_question(item=item, text="Why?")
        counts.append(
            (
                count_queries(staff, reverse("staff:session", kwargs={"pk": session.pk})),
                count_queries(staff, reverse("staff:questions")),
            )
        )
    assert counts[0] == counts[1]


# One session ----------------------------------------------------------------------------------------


def test_the_session_page_shows_each_items_record_and_a_timeline(staff, treatment):
    session, _ = make_session(treatment=treatment)
    slow, quick, untouched = items_of(session)
    opened = timezone.now() - datetime.timedelta(seconds=40)
    record_open(item=slow, now=opened)
    record_progress(item=slow, client_id="a" * 36, seconds=25, reached_end=True)
    record_acknowledge(item=slow, now=opened + datetime.timedelta(seconds=40))  # 25 s of ~300 s: read quickly
    record_open(item=quick)
    record_ask_question(item=quick, text="Can I eat before?")

    response = staff.get(reverse("staff:session", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert session.patient.display_name in html
    assert "25 s" in html and "visible, measured" in html
    assert "Read quickly" in html
    assert "(acknowledged v1)" in html
    assert "Can I eat before?" in html
    assert "0 of 3 required pages done" not in html and "1 of 3 required pages done" in html
    timeline = [what for _, what in response.context["timeline"]]
    assert "Session created" in timeline and "Current link issued" in timeline
    assert "Opened “How it works”" in timeline and "Acknowledged “How it works”" in timeline
    assert "Asked a question about “Treatment day”" in timeline
    times = [when for when, _ in response.context["timeline"]]
    assert times == sorted(times)
    event = AuditEvent.objects.get(action="session.view")
    assert event.subject == f"session={session.pk}"


def test_a_page_changed_materially_after_it_was_read_is_shown_as_an_earlier_version(staff, treatment):
    session, _ = make_session(treatment=treatment)
    items = read_all(session)
    article = items[0].article
    article.body += "\n\nNew: do not drive until the next day."
    article.save()
    content_publish(content=article, by=None, material_change=True)

    response = staff.get(reverse("staff:session", kwargs={"pk": session.pk}))

    assert "Read an earlier version" in response.content.decode()
    assert "Not ready" in response.content.decode()
    dashboard = staff.get(reverse("staff:dashboard")).content.decode()
    assert "2 of 3 done" in dashboard


def test_a_missing_session_is_404(staff):
    assert staff.get(reverse("staff:session", kwargs={"pk": 999_999})).status_code == 404


# Links ----------------------------------------------------------------------------------------------


def test_issuing_a_new_link_shows_it_once_with_a_qr_card_and_stops_the_old_link(staff, client, treatment, settings):
    session, old_token = make_session(treatment=treatment)

    response = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    link = response.context["new_link"]
    assert link.startswith(settings.PORTAL_BASE_URL + "/p/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    html = response.content.decode()
    assert f'value="{link}" readonly' in html
    assert "data-copy-target" in html and "js/copy.js" in html
    assert re.search(r'<svg viewBox="[^"]+" class="qr-code"><title>', html) and "style=" not in html
    assert "<script>" not in html
    session.refresh_from_db()
    assert session.link_matches(token) and not session.link_matches(old_token)
    assert AuditEvent.objects.filter(action="link.issue", subject=f"session={session.pk}").count() == 1
    # The session page afterwards does not show it again.
    assert token not in staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()


def test_the_qr_code_encodes_the_link():
    import segno

    from portal.reading.views.staff import link_qr_svg

    link = "https://clinic.example/p/abc/"
    assert link_qr_svg(link) == segno.make(link, error="m").svg_inline(
        omitsize=True, svgclass="qr-code", title="QR code of the link"
    )
    assert "style" not in link_qr_svg(link)


def test_revoking_the_link_stops_it(staff, client, treatment):
    session, token = make_session(treatment=treatment)

    response = staff.post(reverse("staff:revoke_link", kwargs={"pk": session.pk}))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.link_revoked_at is not None
    assert client.get(reverse("patient:open", kwargs={"token": token})).status_code == 404
    assert AuditEvent.objects.filter(action="link.revoke").count() == 1


def test_emailing_the_link_sends_only_what_the_patient_needs(staff, treatment):
    patient = make_patient(display_name="Robin Private", email="robin@example.org")
    session, _ = make_session(treatment=treatment, patient=patient)
    link = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).context["new_link"]
    token = link.rstrip("/").rsplit("/", 1)[1]

    response = staff.post(reverse("staff:email_link", kwargs={"pk": session.pk}), {"token": token})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["robin@example.org"]
    assert link in message.body
    assert "Robin" not in message.body + message.subject
    assert treatment.name not in message.body + message.subject
    assert patient.reference not in message.body + message.subject
    assert AuditEvent.objects.filter(action="link.email").count() == 1


def test_an_old_or_forged_link_is_not_emailed(staff, treatment):
    session, old_token = make_session(treatment=treatment, patient=make_patient(email="robin@example.org"))
    session_issue_link(session=session)

    for token in (old_token, "forged-token"):
        response = staff.post(reverse("staff:email_link", kwargs={"pk": session.pk}), {"token": token}, follow=True)
        assert "no longer current" in response.content.decode()
    assert mail.outbox == []


def test_a_patient_without_email_gets_no_email_button(staff, treatment):
    session, _ = make_session(treatment=treatment, patient=make_patient(email=""))

    html = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).content.decode()

    assert "No email address on file" in html
    assert reverse("staff:email_link", kwargs={"pk": session.pk}) not in html


def test_the_printed_card_is_the_only_thing_the_print_stylesheet_shows(staff, treatment):
    session, _ = make_session(treatment=treatment)
    html = staff.post(reverse("staff:issue_link", kwargs={"pk": session.pk})).content.decode()

    assert re.search(r'<body class="[^"]*has-link-card', html)
    assert 'class="link-card"' in html
    from django.contrib.staticfiles import finders

    with open(finders.find("css/portal.css"), encoding="utf-8") as handle:
        stylesheet = handle.read()
    assert ".has-link-card * { visibility: hidden; }" in stylesheet
    assert ".has-link-card .link-card, .has-link-card .link-card * { visibility: visible; }" in stylesheet


# Questions ------------------------------------------------------------------------------------------


def test_the_questions_queue_lists_open_questions_and_staff_mark_them_answered(staff, treatment):
    session, _ = make_session(treatment=treatment)
    items = items_of(session)
    first = record_ask_question(item=items[0], text="Will I feel strange?")
    answered = record_ask_question(item=items[1], text="Already answered?")
    answered.answered_at = timezone.now()
    answered.save()

    html = staff.get(reverse("staff:questions")).content.decode()
    assert "Will I feel strange?" in html and "Already answered?" not in html
    assert AuditEvent.objects.filter(action="questions.view", row_count=1).exists()

    response = staff.post(
        reverse("staff:question_answered", kwargs={"pk": first.pk}), {"next": reverse("staff:questions")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("staff:questions")
    first.refresh_from_db()
    assert first.answered_at is not None and first.answered_by.is_staff
    assert "Will I feel strange?" not in staff.get(reverse("staff:questions")).content.decode()
    assert AuditEvent.objects.filter(action="question.answered").count() == 1


def test_marking_answered_never_redirects_off_site(staff, treatment):
    session, _ = make_session(treatment=treatment)
    question = record_ask_question(item=items_of(session)[0], text="?")

    response = staff.post(
        reverse("staff:question_answered", kwargs={"pk": question.pk}), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("staff:questions")


# CSV ------------------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_session_item_with_every_field_of_its_record(staff, treatment, client):
    session, token = make_session(treatment=treatment, scheduled_at=in_days(1))
    make_session(treatment=treatment, scheduled_at=in_days(30))  # outside the range
    open_link(client, token)
    items = items_of(session)
    opened = timezone.now() - datetime.timedelta(minutes=3)
    record_open(item=items[0], now=opened)
    record_progress(item=items[0], client_id="f" * 36, seconds=170, reached_end=True)
    record_acknowledge(item=items[0])
    record_ask_question(item=items[1], text='=HYPERLINK("http://evil.example")')
    day = timezone.localdate()

    response = staff.get(
        reverse("staff:sessions_csv"), {"from": day.isoformat(), "to": (day + datetime.timedelta(days=7)).isoformat()}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert len(rows) == 3
    first, second, third = rows
    assert first["session_id"] == str(session.pk)
    assert first["patient_reference"] == session.patient.reference
    assert first["item_title"] == "How it works" and first["item_type"] == "article"
    assert first["opened_at"] == timezone.localtime(opened).isoformat(timespec="seconds")
    assert first["seconds_visible"] == "170" and first["measured_by"] == "script"
    assert first["end_reached_at"] and first["acknowledged_at"]
    assert first["acknowledged_version"] == "1" and first["content_version"] == "1"
    assert first["content_hash"] == items[0].article.content_hash
    assert first["done"] == "True" and first["state"] == "done" and first["read_quickly"] == "False"
    assert second["question_texts"] == '\'=HYPERLINK("http://evil.example")'
    assert second["open_questions"] == "1" and second["done"] == "False"
    assert third["item_type"] == "faq_topic" and third["opened_at"] == "" and third["state"] == "not_started"
    assert AuditEvent.objects.get(action="sessions.csv").row_count == 3


def test_the_csv_is_streamed_in_chunks_and_still_has_every_row_with_its_own_questions(staff, treatment, monkeypatch):
    monkeypatch.setattr("portal.reading.views.staff.CSV_CHUNK_ROWS", 4)
    make_busy_sessions(treatment, 5)  # 15 items; each session's third item has a question of its own

    response = staff.get(reverse("staff:sessions_csv"))

    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    expected = list(
        SessionItem.objects.order_by("session__scheduled_at", "session_id", "position").values_list(
            "session_id", "position"
        )
    )
    assert [(int(row["session_id"]), int(row["item_position"])) for row in rows] == expected
    questions = {
        (question.item.session_id, question.item.position): question.text
        for question in PatientQuestion.objects.select_related("item")
    }
    assert len(questions) == 5
    for row in rows:
        assert row["question_texts"] == questions.get((int(row["session_id"]), int(row["item_position"])), "")
    assert AuditEvent.objects.get(action="sessions.csv").row_count == 15


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_leading_quote(value):
    from portal.reading.views.staff import csv_safe

    assert csv_safe(value) == "'" + value
    assert csv_safe("Plain text") == "Plain text"
    assert csv_safe(-1) == -1  # numbers are numbers


def test_a_patient_name_starting_with_a_formula_is_neutralised_in_the_csv(staff, treatment):
    make_session(treatment=treatment, patient=make_patient(display_name="=cmd|' /C calc'!A0"))

    rows = list(csv.DictReader(io.StringIO(staff.get(reverse("staff:sessions_csv")).getvalue().decode())))

    assert {row["patient_name"] for row in rows} == {"'=cmd|' /C calc'!A0"}


# The whole flow -------------------------------------------------------------------------------------


def test_reading_and_acknowledging_every_page_turns_the_session_ready(staff, client, treatment):
    session, token = make_session(treatment=treatment)
    open_link(client, token)
    for item in items_of(session):
        client.get(reverse("patient:item", kwargs={"pk": item.pk}))
        client.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}))

    dashboard = staff.get(reverse("staff:dashboard"))

    [shown] = dashboard.context["sessions"]
    assert shown.is_ready and (shown.items_done, shown.items_total) == (3, 3)
    assert "3 of 3 done" in dashboard.content.decode()

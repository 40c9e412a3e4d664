"""The staff dashboard: sessions and readiness in a date range, pages, totals; query counts of staff pages."""

import datetime
import re
from html import unescape as html_unescape
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.models import PatientQuestion, TreatmentSession
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
)
from portal.reading.tests.factories import (
    count_queries,
    in_days,
    items_of,
    make_busy_sessions,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
    read_all,
)

pytestmark = pytest.mark.django_db


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
        # The open question keeps its session from being ready (issue 13: one definition of ready).
        assert "2 of 51 sessions ready</strong>, 49 not ready; 1 with open questions" in html
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
    staff.get(reverse("staff:questions"))  # warm up the session (its first request saves the last activity)
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


def test_sessions_outside_the_range_change_neither_the_dashboard_totals_nor_its_queries(staff, treatment):
    """A clinic's history grows week by week; the week view reads only its range (index session_scheduled_at)."""
    staff.get(reverse("staff:dashboard"))  # warm up the session and content types
    make_busy_sessions(treatment, 3)
    before = count_queries(staff, reverse("staff:dashboard"))
    totals = staff.get(reverse("staff:dashboard")).context["totals"]
    for weeks_ago in range(1, 5):
        make_session(treatment=treatment, scheduled_at=in_days(-7 * weeks_ago))

    after = count_queries(staff, reverse("staff:dashboard"))

    assert staff.get(reverse("staff:dashboard")).context["totals"] == totals
    assert totals["total"] == 3
    assert after == before

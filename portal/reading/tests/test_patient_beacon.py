"""The progress beacon (static/js/progress.js posts here): seconds visible, the end reached, resends."""

import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.content.services import content_publish
from portal.reading.models import ProgressReport, ReadingRecord
from portal.reading.tests.factories import beacon, csrf_token, end_link, make_session, page_form
from portal.reading.views.patient import LINK_COOKIE

pytestmark = pytest.mark.django_db


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
    beacon(patient, item, token, seconds="0")  # the page's opening report: the record exists
    ProgressReport.objects.all().delete()
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
    assert not ReadingRecord.objects.filter(item=item, seconds_visible__gt=0).exists()
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
    assert not ReadingRecord.objects.filter(item=item, seconds_visible__gt=0).exists()
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


def test_a_beacon_is_one_read_and_one_transaction_of_two_writes_and_never_reads_the_session(reading, patient):
    """The busiest patient request: the link comes from its signed cookie (no Django session read), the item is
    checked against it in one query, then the report and the record in one transaction."""
    item = reading[2][0]
    token = csrf_token(patient, item)
    beacon(patient, item, token, seconds="0")
    expected = ["SELECT reading_sessionitem", "begin", "INSERT reading_progressreport", "UPDATE reading_readingrecord"]
    expected.append("commit")

    for number in range(20):
        with CaptureQueriesContext(connection) as queries:
            response = beacon(patient, item, token, seconds="3")
        assert response.status_code == 204
        if number in (0, 19):
            assert statements(queries) == expected
            assert "reading_treatmentsession" in queries[0]["sql"]  # the link is checked in the same query
            assert settings.SESSION_COOKIE_NAME not in response.cookies

    assert ReadingRecord.objects.get(item=item).seconds_visible == 60


def test_a_forged_link_cookie_is_ignored_and_the_session_decides(reading, patient):
    """A link cookie that does not check out counts for nothing; the browser's Django session still works."""
    session, _, items = reading
    other, _ = make_session(treatment=session.treatment)
    token = csrf_token(patient, items[0])
    patient.cookies[LINK_COOKIE] = f"{other.pk}:{other.token_hash}"  # unsigned

    assert beacon(patient, items[0], token).status_code == 204
    assert beacon(patient, other.items.first(), token).status_code == 404
    assert not ProgressReport.objects.filter(item__session=other).exists()


def test_a_beacon_is_two_reads_and_one_transaction_of_two_writes_and_never_saves_the_session(reading, patient):
    """The busiest patient request: the Django session, the item checked against the link in one query, then the
    report and the record in one transaction; the same for the first report and the twentieth. (A browser
    without the link cookie: one that opened its link before the cookie was introduced.)"""
    item = reading[2][0]
    token = csrf_token(patient, item)
    del patient.cookies[LINK_COOKIE]
    beacon(patient, item, token, seconds="0")  # the page's opening report creates the record (once per item)
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
    form = page_form(patient, item)
    beacon(patient, item, form["csrfmiddlewaretoken"], seconds="200")
    patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), form)

    record = ReadingRecord.objects.get(item=item)
    assert record.reading_seconds == 200


def test_the_opening_report_records_the_version_and_time_shown_until_the_page_is_acknowledged(reading, patient):
    item = reading[2][0]
    article = item.article
    v1 = page_form(patient, item)
    assert beacon(patient, item, v1["csrfmiddlewaretoken"], seconds="0", shown=v1["shown"]).status_code == 204
    record = ReadingRecord.objects.get(item=item)
    assert (record.content_version, record.content_hash, record.seconds_visible) == (1, article.content_hash, 0)
    assert record.opened_at is not None

    article.body += "\n\nA typo fixed."
    article.save()
    content_publish(content=article, by=None)
    v2 = page_form(patient, item)
    beacon(patient, item, v2["csrfmiddlewaretoken"], seconds="5", shown=v2["shown"])
    assert ReadingRecord.objects.get(item=item).content_version == 2  # the version shown last
    patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), v1)  # acknowledged from an older tab
    beacon(patient, item, v2["csrfmiddlewaretoken"], seconds="5", shown=v2["shown"])

    record = ReadingRecord.objects.get(item=item)
    assert (record.acknowledged_version, record.content_version) == (1, 1)  # what was acknowledged stays
    assert record.seconds_visible == 10


def test_a_report_whose_shown_value_does_not_check_out_still_counts_its_seconds_but_no_version(reading, patient):
    """E.g. a report kept offline across a change of SECRET_KEY: its seconds were real."""
    item = reading[2][0]
    token = csrf_token(patient, item)

    assert beacon(patient, item, token, seconds="7", shown="not-signed").status_code == 204

    record = ReadingRecord.objects.get(item=item)
    assert (record.seconds_visible, record.content_version, record.content_hash) == (7, 0, "")


def test_the_link_cookie_is_signed_http_only_for_patient_pages_and_dropped_on_leaving(reading, patient):
    session, _, items = reading
    cookie = patient.cookies[LINK_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/p/"
    assert session.token_hash in cookie.value and cookie.value != f"{session.pk}:{session.token_hash}"
    token = csrf_token(patient, items[0])

    patient.post(reverse("patient:sign_out"), {"csrfmiddlewaretoken": token})

    assert patient.cookies[LINK_COOKIE].value == ""
    assert beacon(patient, items[0], token).status_code == 404
    assert not ProgressReport.objects.exists()

"""Many browsers reading, reporting progress and acknowledging the same items at once (SQLite and PostgreSQL).

Each of 16 threads is a browser of its own (its own test Client, cookie and database connection) that
opened the same patient link. They all start together and, for every item, open the page, send beacon
reports (each report also resent, as a browser does after a network error), ask a question and
acknowledge. Afterwards: no 500, exactly one reading record per item, every unique report counted once
and their seconds summed exactly, every question kept, every item acknowledged.
"""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.reading.models import PatientQuestion, ProgressReport, ReadingRecord, TreatmentSession
from portal.reading.services.sessions import record_progress
from portal.reading.tests.factories import (
    SHOWN_RE,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
)

CLIENTS = 16
REPORTS_PER_ITEM = 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_parallel_browsers_lose_nothing_and_duplicate_nothing(monkeypatch):
    # 48 different open questions on one session: more than a patient may leave open (tested below).
    monkeypatch.setattr("portal.reading.services.sessions.MAX_OPEN_QUESTIONS_PER_SESSION", CLIENTS * 3)
    treatment = make_treatment(make_reading_article(), make_reading_article(), make_reading_topic())
    session, token = make_session(treatment=treatment)
    items = list(session.items.order_by("position"))
    barrier = threading.Barrier(CLIENTS)
    lock = threading.Lock()
    statuses, errors = [], []
    sent_seconds = {item.pk: 0 for item in items}
    sent_reports = set()

    def browser(number):
        client = Client()
        mine = []
        try:
            assert client.get(reverse("patient:open", kwargs={"token": token})).status_code == 302
            barrier.wait(timeout=60)
            for item in items:
                page = client.get(reverse("patient:item", kwargs={"pk": item.pk}))
                mine.append(page.status_code)
                shown = SHOWN_RE.search(page.content.decode()).group(1)
                for report in range(REPORTS_PER_ITEM):
                    client_id = str(uuid.uuid4())
                    seconds = 1 + (number + report) % 15
                    data = {"client_id": client_id, "seconds": seconds, "reached_end": "true" if report else "false"}
                    url = reverse("patient:progress", kwargs={"pk": item.pk})
                    mine.append(client.post(url, data).status_code)
                    mine.append(client.post(url, data).status_code)  # the same report, resent
                    with lock:
                        sent_seconds[item.pk] += seconds
                        sent_reports.add(client_id)
                mine.append(
                    client.post(
                        reverse("patient:question", kwargs={"pk": item.pk}), {"text": f"Question {number}"}
                    ).status_code
                )
                mine.append(
                    client.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), {"shown": shown}).status_code
                )
        except Exception as error:  # noqa: BLE001 - collected and asserted in the test thread
            errors.append(repr(error))
        finally:
            with lock:
                statuses.extend(mine)
            connection.close()

    threads = [threading.Thread(target=browser, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    per_browser = len(items) * (1 + 2 * REPORTS_PER_ITEM + 2)
    assert len(statuses) == CLIENTS * per_browser
    assert not [status for status in statuses if status >= 500]
    assert set(statuses) <= {200, 204, 302}

    assert ReadingRecord.objects.filter(item__session=session).count() == len(items)
    assert (
        ProgressReport.objects.filter(item__session=session).count()
        == len(sent_reports)
        == (CLIENTS * len(items) * REPORTS_PER_ITEM)
    )
    for record in ReadingRecord.objects.filter(item__session=session):
        assert record.seconds_visible == sent_seconds[record.item_id]
        assert record.opened_at is not None and record.end_reached_at is not None
        assert record.acknowledged_at is not None and record.acknowledged_version is not None
    assert PatientQuestion.objects.filter(item__session=session).count() == CLIENTS * len(items)
    annotated = TreatmentSession.objects.with_completion().get(pk=session.pk)
    # Every page read; the questions the browsers sent are open, so the session is not ready (issue 13).
    assert annotated.items_done == len(items) and annotated.open_questions == CLIENTS * len(items)
    assert not annotated.is_ready


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sixteen_first_reports_racing_to_create_the_reading_record_make_one_record_and_lose_no_seconds():
    """Reports for a page whose record does not exist yet: each report's UPDATE finds no row, so they race to
    create it; exactly one wins, the others add their seconds to the winner's row."""
    session, _ = make_session(treatment=make_treatment(make_reading_article()))
    item = session.items.get()
    barrier = threading.Barrier(CLIENTS)
    results, errors = [], []

    def report(number):
        try:
            barrier.wait(timeout=60)
            results.append(
                record_progress(item=item, client_id=f"race-{number:032d}", seconds=number + 1, reached_end=number == 3)
            )
        except Exception as error:  # noqa: BLE001 - collected and asserted in the test thread
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=report, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == [True] * CLIENTS
    record = ReadingRecord.objects.get(item=item)
    assert record.seconds_visible == sum(range(1, CLIENTS + 1))
    assert record.opened_at is not None and record.end_reached_at is not None
    assert ProgressReport.objects.filter(item=item).count() == CLIENTS


def _post_at_once(token, item, texts):
    """One browser per text, all posting their question to `item` at the same moment; their statuses."""
    barrier = threading.Barrier(len(texts))
    statuses, errors = [], []

    def browser(text):
        client = Client()
        try:
            assert client.get(reverse("patient:open", kwargs={"token": token})).status_code == 302
            shown = SHOWN_RE.search(client.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode())
            barrier.wait(timeout=60)
            url = reverse("patient:question", kwargs={"pk": item.pk})
            statuses.append(client.post(url, {"text": text, "shown": shown.group(1)}).status_code)
        except Exception as error:  # noqa: BLE001 - collected and asserted in the test thread
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=browser, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_identical_questions_sent_at_once_are_stored_once():
    session, token = make_session(treatment=make_treatment(make_reading_article()))
    item = session.items.get()

    statuses = _post_at_once(token, item, ["Can my sister drive me home?"] * 20)

    assert statuses == [302] * 20
    assert PatientQuestion.objects.filter(item=item).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_questions_sent_at_once_stop_at_the_sessions_limit(monkeypatch):
    monkeypatch.setattr("portal.reading.services.sessions.MAX_OPEN_QUESTIONS_PER_SESSION", 5)
    session, token = make_session(treatment=make_treatment(make_reading_article()))
    item = session.items.get()

    statuses = _post_at_once(token, item, [f"Question number {number}" for number in range(16)])

    assert sorted(statuses) == [302] * 5 + [429] * 11
    assert PatientQuestion.objects.filter(item=item).count() == 5

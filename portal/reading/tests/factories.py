"""Factories for treatments, patients and sessions (through the real services), and what the patient's
browser and the staff pages' tests do with them."""

import datetime
import itertools
import re
import uuid

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.content.tests.factories import make_article, make_entry, make_topic, make_user
from portal.reading.models import Patient, ReadingFrequency, ReadingListItem, SessionItem, Treatment, page_relations
from portal.reading.services.sessions import (
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
    session_create,
    session_issue_link,
    session_revoke_link,
)

_numbers = itertools.count(1)


def words(count, word="word"):
    return " ".join([word] * count)


def make_reading_article(*, word_count=200, **fields):
    """A published article of about `word_count` words (200 words = one minute at 200 words per minute)."""
    fields.setdefault("body", f"## Start\n\n{words(word_count - 2)}\n\n## Finish")
    return make_article(publish=True, **fields)


def make_reading_topic(*, entries=2, **fields):
    """An FAQ topic with `entries` published entries."""
    topic = make_topic(**fields)
    for _ in range(entries):
        make_entry(topic=topic, publish=True)
    topic.refresh_from_db()
    return topic


def make_treatment(*pages, slug=None):
    """A treatment whose reading list holds `pages`: content objects, or (content, required, frequency) tuples."""
    number = next(_numbers)
    treatment = Treatment.objects.create(name=f"Treatment {number}", slug=slug or f"treatment-{number}")
    for position, page in enumerate(pages, start=1):
        content, required, frequency = page if isinstance(page, tuple) else (page, True, ReadingFrequency.EVERY_SESSION)
        ReadingListItem.objects.create(
            treatment=treatment,
            position=position * 10,
            required=required,
            frequency=frequency,
            page=content,
        )
    return treatment


def make_patient(**fields):
    number = next(_numbers)
    fields.setdefault("reference", f"P-{number:05d}")
    fields.setdefault("display_name", f"Patient Name{number}")
    return Patient.objects.create(**fields)


def in_days(days, hour=10):
    """Clinic local time `days` from today at `hour`:00."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def make_session(*, treatment=None, patient=None, scheduled_at=None, link=True):
    """A session created through session_create; returns (session, token or None)."""
    treatment = treatment or make_treatment(make_reading_article())
    session = session_create(
        patient=patient or make_patient(), treatment=treatment, scheduled_at=scheduled_at or in_days(1)
    )
    token = session_issue_link(session=session) if link else None
    return session, token


def open_link(client, token):
    """Trade the token for a patient session in this client, as a patient's browser does."""
    response = client.get(reverse("patient:open", kwargs={"token": token}))
    assert response.status_code == 302, response.status_code
    return response


def make_staff(group="Clinic staff", **kwargs):
    user = make_user(staff=True, **kwargs)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


# Patient pages --------------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SHOWN_RE = re.compile(r'name="shown" value="([^"]+)"')


def page_form(client, item):
    """GET the item's page as the patient's browser does and return what its forms post back: the signed
    version shown (and the CSRF token, for clients that check it)."""
    html = client.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    fields = {"shown": SHOWN_RE.search(html).group(1)}
    if csrf := CSRF_RE.search(html):
        fields["csrfmiddlewaretoken"] = csrf.group(1)
    return fields


def csrf_token(client, item):
    response = client.get(reverse("patient:item", kwargs={"pk": item.pk}))
    return CSRF_RE.search(response.content.decode()).group(1)


def beacon(client, item, token, **fields):
    data = {"csrfmiddlewaretoken": token, "client_id": str(uuid.uuid4()), "seconds": "15", "reached_end": "false"}
    data.update(fields)
    return client.post(reverse("patient:progress", kwargs={"pk": item.pk}), data)


def end_link(session, action):
    """End the session's link as the clinic can: "revoke" it, "reissue" a new one, or let it "expire"."""
    if action == "revoke":
        session_revoke_link(session=session)
    elif action == "reissue":
        session_issue_link(session=session)
    else:
        session.link_expires_at = timezone.now() - timezone.timedelta(seconds=1)
        session.save()


# Staff pages ----------------------------------------------------------------------------------------


def items_of(session):
    return list(SessionItem.objects.filter(session=session).select_related(*page_relations()).order_by("position"))


def read_all(session, *, but=0):
    items = items_of(session)
    for item in items[: len(items) - but]:
        record_acknowledge(item=item)
    return items


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

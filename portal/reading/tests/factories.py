"""Factories for treatments, patients and sessions (through the real services), and patient-link helpers."""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from portal.content.tests.factories import make_article, make_entry, make_topic, make_user
from portal.reading.models import Patient, ReadingFrequency, ReadingListItem, Treatment
from portal.reading.services.sessions import session_create, session_issue_link

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
            **({"article": content} if content._meta.model_name == "article" else {"faq_topic": content}),
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

"""Fixtures shared by the reading tests: a patient's session and browser, a staff member's browser."""

import pytest
from django.test import Client

from portal.reading.tests.factories import (
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_staff,
    make_treatment,
    open_link,
)


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

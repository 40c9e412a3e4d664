"""Every staff URL: anonymous visitors go to the login page, staff without the patient-data right get 403."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.reading.services.sessions import (
    record_ask_question,
)
from portal.reading.tests.factories import (
    make_session,
    make_staff,
)

pytestmark = pytest.mark.django_db


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

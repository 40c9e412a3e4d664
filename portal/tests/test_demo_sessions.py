"""portal.demo.sessions: the demo treatment, patient and session that `manage.py load_demo` prints a link for."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.demo.sessions import FAQ_TOPIC_SLUG, TREATMENT_SLUG, create_demo_sessions
from portal.reading.models import ReadingFrequency, Treatment, TreatmentSession
from portal.reading.services.readiness import checklist_answer
from portal.reading.services.sessions import record_acknowledge
from portal.reading.tests.factories import SHOWN_RE, make_reading_article, make_staff

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"Demo patient link .*: (\S+/p/([A-Za-z0-9_-]{43})/)")


@pytest.fixture
def demo_output(settings):
    settings.DEBUG = True  # load_demo only runs in development
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def run():
        out = StringIO()
        call_command("load_demo", stdout=out)
        return out.getvalue()

    return run


def test_load_demo_makes_the_spravato_reading_list_and_a_session_tomorrow_at_10(demo_output):
    output = demo_output()

    treatment = Treatment.objects.get(slug=TREATMENT_SLUG)
    entries = list(treatment.reading_list.order_by("position"))
    assert [entry.page.slug for entry in entries][-1] == FAQ_TOPIC_SLUG
    assert all(entry.article_id for entry in entries[:-1]) and len(entries) >= 4
    assert entries[0].frequency == ReadingFrequency.FIRST_SESSION
    assert [entry.required for entry in entries] == [True] * (len(entries) - 1) + [False]
    session = TreatmentSession.objects.get(treatment=treatment)
    local = timezone.localtime(session.scheduled_at)
    assert local.date() == timezone.localdate() + datetime.timedelta(days=1)
    assert (local.hour, local.minute) == (10, 0)
    assert session.items.count() == len(entries)
    [(link, token)] = LINK_RE.findall(output)
    assert session.link_matches(token)


def test_the_printed_link_opens_the_reading_list_and_reading_it_all_makes_the_session_ready(demo_output):
    [(link, token)] = LINK_RE.findall(demo_output())
    patient = Client()

    assert patient.get(reverse("patient:open", kwargs={"token": token})).status_code == 302
    html = patient.get(reverse("patient:session")).content.decode()
    assert "Before your session on" in html and "How Spravato works" in html
    session = TreatmentSession.objects.get()
    for item in session.items.all():
        page = patient.get(reverse("patient:item", kwargs={"pk": item.pk}))
        assert page.status_code == 200
        shown = SHOWN_RE.search(page.content.decode()).group(1)
        assert patient.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), {"shown": shown}).status_code == 302
        # Each demo article asks two teach-back questions (portal/demo/teach_back/); answered right, it is done.
        questions = item.page.teach_back_questions
        assert len(questions) == (2 if item.article_id else 0)
        if questions:
            answers = {f"answer-{question['key']}": question["answer"] for question in questions}
            assert patient.post(reverse("patient:teach_back", kwargs={"pk": item.pk}), answers).status_code == 302
    # The treatment-day checklist (open: the session is tomorrow), every item "Yes".
    for checklist_item in session.treatment.checklist_items.all():
        url = reverse("patient:checklist_answer", kwargs={"pk": checklist_item.pk})
        assert patient.post(url, {"ready": "yes"}).status_code == 302

    staff = Client()
    staff.force_login(make_staff("Clinic staff"))
    assert "Ready</span>" in staff.get(reverse("staff:dashboard")).content.decode()
    csv_text = staff.get(reverse("staff:sessions_csv")).getvalue().decode()  # streamed
    assert csv_text.count("\n") == 1 + session.items.count()


def test_running_it_again_reuses_the_session_and_replaces_the_link(demo_output):
    [(_, first)] = LINK_RE.findall(demo_output())
    [(_, second)] = LINK_RE.findall(demo_output())

    session = TreatmentSession.objects.get()
    assert first != second
    assert session.link_matches(second) and not session.link_matches(first)


def test_the_reading_list_is_left_alone_once_staff_changed_it(demo_output):
    demo_output()
    treatment = Treatment.objects.get(slug=TREATMENT_SLUG)
    treatment.reading_list.exclude(position=treatment.reading_list.order_by("position").first().position).delete()

    create_demo_sessions(StringIO())

    assert treatment.reading_list.count() == 1


def test_without_demo_pages_the_session_has_only_what_exists(settings):
    make_reading_article(slug="how-spravato-works", title="How Spravato works")
    out = StringIO()

    session, link = create_demo_sessions(out, base_url="https://portal.example/")

    assert [item.title for item in session.items.all()] == ["How Spravato works"]
    assert link.startswith("https://portal.example/p/")
    record_acknowledge(item=session.items.get())
    assert not TreatmentSession.objects.with_completion().get().is_ready  # the checklist is still to answer
    for checklist_item in session.treatment.checklist_items.all():
        checklist_answer(session=session, checklist_item=checklist_item, ready=True)
    assert TreatmentSession.objects.with_completion().get().is_ready

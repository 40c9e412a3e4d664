"""The admin for treatments, patients and sessions (portal/admin.py), as Clinic staff use it."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.reading.models import ReadingListItem, SessionItem, Treatment, TreatmentSession
from portal.reading.services.sessions import record_acknowledge
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_staff,
    make_treatment,
)

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r'value="(https?://[^"]+/p/([A-Za-z0-9_-]{43})/)"')


@pytest.fixture
def clinic_staff():
    browser = Client()
    browser.force_login(make_staff("Clinic staff"))
    return browser


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_adding_a_session_in_the_admin_copies_the_reading_list(clinic_staff):
    article, topic = make_reading_article(), make_reading_topic()
    treatment = make_treatment(article, topic)
    patient = make_patient()
    when = in_days(3)

    response = clinic_staff.post(
        reverse("admin:reading_treatmentsession_add"),
        {
            "patient": patient.pk,
            "treatment": treatment.pk,
            "scheduled_at_0": when.strftime("%Y-%m-%d"),
            "scheduled_at_1": when.strftime("%H:%M:%S"),
            "status": "scheduled",
            **inline_management("items"),
        },
        follow=True,
    )

    assert response.status_code == 200
    session = TreatmentSession.objects.get()
    assert session.scheduled_at == when
    assert [item.page for item in session.items.order_by("position")] == [article, topic]
    assert "2 page(s) copied" in response.content.decode()


def test_the_session_change_page_shows_items_and_records_read_only(clinic_staff):
    session, _ = make_session()
    record_acknowledge(item=session.items.select_related("article").get())

    response = clinic_staff.get(reverse("admin:reading_treatmentsession_change", args=[session.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert session.items.get().title in html
    assert 'name="items-0-position"' not in html  # read-only inline
    assert 'name="patient"' not in html and 'name="treatment"' not in html  # fixed after creation
    assert 'name="scheduled_at_0"' in html
    assert AuditEvent.objects.filter(action="admin.session.view", subject=f"session={session.pk}").exists()


def test_rescheduling_a_session_moves_its_link_expiry(clinic_staff, settings):
    session, token = make_session(scheduled_at=in_days(2))
    later = in_days(5)

    clinic_staff.post(
        reverse("admin:reading_treatmentsession_change", args=[session.pk]),
        {
            "scheduled_at_0": later.strftime("%Y-%m-%d"),
            "scheduled_at_1": later.strftime("%H:%M:%S"),
            "status": "scheduled",
            **inline_management("items", total=1, initial=1),
            "items-0-id": session.items.get().pk,
            "items-0-session": session.pk,
        },
    )

    session.refresh_from_db()
    assert session.scheduled_at == later
    assert session.link_expires_at == later + datetime.timedelta(days=settings.PATIENT_LINK_VALID_DAYS_AFTER_SESSION)
    assert session.link_matches(token)


def test_the_issue_new_link_action_shows_each_new_link_once_and_stops_the_old_ones(clinic_staff):
    first, old_first = make_session()
    second, old_second = make_session()

    response = clinic_staff.post(
        reverse("admin:reading_treatmentsession_changelist"),
        {"action": "issue_new_links", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    links = {token: link for link, token in LINK_RE.findall(response.content.decode())}
    assert len(links) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert any(first.link_matches(token) for token in links) and any(second.link_matches(token) for token in links)
    assert not first.link_matches(old_first) and not second.link_matches(old_second)
    assert AuditEvent.objects.filter(action="link.issue").count() == 2


def test_the_revoke_action_stops_the_links(clinic_staff):
    session, token = make_session()

    clinic_staff.post(
        reverse("admin:reading_treatmentsession_changelist"),
        {"action": "revoke_links", "_selected_action": [session.pk]},
    )

    session.refresh_from_db()
    assert session.link_revoked_at is not None and not session.link_matches(token)


def test_the_treatment_reading_list_is_edited_inline_in_position_order(clinic_staff):
    first, second = make_reading_article(title="First"), make_reading_article(title="Second")
    topic = make_reading_topic()

    response = clinic_staff.post(
        reverse("admin:reading_treatment_add"),
        {
            "name": "Spravato (esketamine) nasal spray",
            "slug": "spravato",
            "description": "",
            "is_active": "on",
            **inline_management("reading_list", total=3),
            "reading_list-0-position": "20",
            "reading_list-0-article": second.pk,
            "reading_list-0-required": "on",
            "reading_list-0-frequency": "every",
            "reading_list-1-position": "10",
            "reading_list-1-article": first.pk,
            "reading_list-1-required": "on",
            "reading_list-1-frequency": "first",
            "reading_list-2-position": "30",
            "reading_list-2-faq_topic": topic.pk,
            "reading_list-2-frequency": "every",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    treatment = Treatment.objects.get(slug="spravato")
    entries = list(treatment.reading_list.order_by("position"))
    assert [str(entry) for entry in entries] == ["First", "Second", str(topic)]
    assert [entry.required for entry in entries] == [True, True, False]
    assert [entry.frequency for entry in entries] == ["first", "every", "every"]
    session, _ = make_session(treatment=treatment)
    assert [item.title for item in SessionItem.objects.filter(session=session).order_by("position")] == [
        "First",
        "Second",
        topic.title,
    ]


def test_a_reading_list_row_needs_exactly_one_page(clinic_staff):
    article, topic = make_reading_article(), make_reading_topic()

    response = clinic_staff.post(
        reverse("admin:reading_treatment_add"),
        {
            "name": "Both",
            "slug": "both",
            "is_active": "on",
            **inline_management("reading_list", total=1),
            "reading_list-0-position": "1",
            "reading_list-0-article": article.pk,
            "reading_list-0-faq_topic": topic.pk,
            "reading_list-0-frequency": "every",
        },
    )

    assert response.status_code == 200
    assert "Choose either an article or an FAQ topic" in response.content.decode()
    assert not Treatment.objects.filter(slug="both").exists()
    assert not ReadingListItem.objects.exists()


def test_the_patient_admin_is_searchable_and_audited(clinic_staff):
    patient = make_patient(reference="MRN-777", display_name="Sam Sample")

    response = clinic_staff.get(reverse("admin:reading_patient_changelist"), {"q": "777"})

    assert "Sam Sample" in response.content.decode()
    assert AuditEvent.objects.filter(action="admin.patient.list", filters={"q": "777"}).exists()
    clinic_staff.get(reverse("admin:reading_patient_change", args=[patient.pk]))
    assert AuditEvent.objects.filter(action="admin.patient.view", subject=f"patient={patient.pk}").exists()


@pytest.mark.parametrize("group", ["Editor", "Clinical reviewer"])
def test_editors_and_reviewers_cannot_see_patients_or_sessions_in_the_admin(group):
    browser = Client()
    browser.force_login(make_staff(group))
    make_session()

    for name in ("admin:reading_patient_changelist", "admin:reading_treatmentsession_changelist"):
        assert browser.get(reverse(name)).status_code == 403
    index = browser.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reading_patient_changelist") not in index
    assert reverse("admin:reading_treatmentsession_changelist") not in index

"""The reading admins: patient data needs reading.view_patient_data, whatever model permissions a user holds;
each look at patient data is audited once it was allowed and found, and only then."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.content.tests.factories import make_user
from portal.reading.tests.factories import make_patient, make_session, make_staff

pytestmark = pytest.mark.django_db

PATIENT_NAME = "Quinn Confidential"


@pytest.fixture
def session():
    session, _ = make_session(patient=make_patient(reference="MRN-4242", display_name=PATIENT_NAME))
    return session


def admin_urls(session):
    """Every admin page of the reading app, for a patient, a session and a treatment that exist."""
    objects = {"patient": session.patient, "treatmentsession": session, "treatment": session.treatment}
    urls = [reverse("admin:app_list", kwargs={"app_label": "reading"})]
    for model, obj in objects.items():
        urls.append(reverse(f"admin:reading_{model}_changelist"))
        urls.append(reverse(f"admin:reading_{model}_add"))
        for view in ("change", "history", "delete"):
            urls.append(reverse(f"admin:reading_{model}_{view}", args=[obj.pk]))
    return urls


def autocomplete_url(term):
    query = f"app_label=reading&model_name=treatmentsession&field_name=patient&term={term}"
    return f"{reverse('admin:autocomplete')}?{query}"


@pytest.fixture
def model_permissions_only():
    """Staff holding every permission of the reading app except the patient-data right."""
    user = make_user(staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="reading").exclude(codename="view_patient_data")
    )
    browser = Client()
    browser.force_login(user)
    return browser


def test_every_reading_model_permission_without_the_patient_data_right_shows_no_patient_data(
    session, model_permissions_only
):
    for url in [*admin_urls(session), autocomplete_url("Quinn")]:
        response = model_permissions_only.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert PATIENT_NAME not in response.content.decode(), url

    index = model_permissions_only.get(reverse("admin:index")).content.decode()
    assert "/admin/reading/" not in index and PATIENT_NAME not in index
    assert not AuditEvent.objects.exists()


def test_with_the_patient_data_right_the_same_pages_open(session):
    browser = Client()
    browser.force_login(make_user(superuser=True))

    for url in admin_urls(session):
        assert browser.get(url).status_code == 200, url
    response = browser.get(autocomplete_url("Quinn"))
    assert response.status_code == 200 and PATIENT_NAME in response.content.decode()


@pytest.fixture
def superuser():
    browser = Client()
    browser.force_login(make_user(superuser=True))
    return browser


@pytest.mark.parametrize(
    ("view", "action"),
    [
        ("history", "admin.patient.history"),
        ("delete", "admin.patient.delete_confirm"),
        ("change", "admin.patient.view"),
    ],
)
def test_history_and_delete_confirmation_pages_are_audited_like_the_change_page(session, superuser, view, action):
    patient = session.patient

    response = superuser.get(reverse(f"admin:reading_patient_{view}", args=[patient.pk]))

    assert response.status_code == 200 and PATIENT_NAME in response.content.decode()
    assert list(AuditEvent.objects.values_list("action", "subject")) == [(action, f"patient={patient.pk}")]


def test_the_patient_autocomplete_is_audited_with_what_was_typed(session):
    browser = Client()
    browser.force_login(make_staff("Clinic staff"))

    response = browser.get(autocomplete_url("Quinn"))

    assert response.status_code == 200 and PATIENT_NAME in response.content.decode()
    event = AuditEvent.objects.get()
    assert event.action == "admin.patient.autocomplete"
    assert event.filters == {"term": "Quinn", "page": "1"}


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_unknown_ids_and_refusals_are_not_audited_as_looks(session, superuser, view):
    editor = Client()
    editor.force_login(make_staff("Editor"))

    missing = superuser.get(reverse(f"admin:reading_patient_{view}", args=[999_999]))
    refused = editor.get(reverse(f"admin:reading_patient_{view}", args=[session.patient.pk]))
    refused_list = editor.get(reverse("admin:reading_patient_changelist"))
    refused_autocomplete = editor.get(autocomplete_url("Quinn"))

    assert missing.status_code == 302  # the admin's "does not exist" redirect
    assert (refused.status_code, refused_list.status_code, refused_autocomplete.status_code) == (403, 403, 403)
    assert not AuditEvent.objects.exists()

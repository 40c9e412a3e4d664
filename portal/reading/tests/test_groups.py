"""The staff groups made by the data migration portal/migrations/0002_staff_groups.py."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.permissions import can_approve_content, can_view_patient_data
from portal.reading.tests.factories import make_staff

pytestmark = pytest.mark.django_db

CONTENT = {
    "articles.add_article", "articles.change_article", "articles.view_article",
    "faq.add_faqtopic", "faq.change_faqtopic", "faq.view_faqtopic",
    "faq.add_faqentry", "faq.change_faqentry", "faq.view_faqentry",
}  # fmt: skip
PATIENT_DATA = {
    "reading.view_patient_data",
    "reading.add_patient", "reading.change_patient", "reading.view_patient",
    "reading.add_treatmentsession", "reading.change_treatmentsession", "reading.view_treatmentsession",
    "reading.add_treatment", "reading.change_treatment", "reading.view_treatment",
    "reading.add_readinglistitem", "reading.change_readinglistitem", "reading.view_readinglistitem",
    "reading.view_patientquestion",
}  # fmt: skip


def permissions_of(name):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_three_staff_groups_exist():
    assert {"Editor", "Clinical reviewer", "Clinic staff"} <= set(Group.objects.values_list("name", flat=True))


def test_editors_write_content_and_never_see_patients():
    permissions = permissions_of("Editor")
    assert permissions >= CONTENT
    assert not permissions & PATIENT_DATA
    assert "content.approve_content" not in permissions
    editor = make_staff("Editor")
    assert not can_view_patient_data(editor) and not can_approve_content(editor)


def test_clinical_reviewers_write_and_approve_content_and_never_see_patients():
    permissions = permissions_of("Clinical reviewer")
    assert permissions >= CONTENT | {"content.approve_content"}
    assert not permissions & PATIENT_DATA
    reviewer = make_staff("Clinical reviewer")
    assert can_approve_content(reviewer) and not can_view_patient_data(reviewer)


def test_clinic_staff_see_patients_sessions_and_questions_but_do_not_write_or_approve_content():
    permissions = permissions_of("Clinic staff")
    assert permissions >= PATIENT_DATA
    assert not permissions & (CONTENT - {"articles.view_article", "faq.view_faqtopic", "faq.view_faqentry"})
    assert "content.approve_content" not in permissions
    assert not any(
        codename.startswith("reading.delete_") for codename in permissions - {"reading.delete_readinglistitem"}
    )
    staff = make_staff("Clinic staff")
    assert can_view_patient_data(staff) and not can_approve_content(staff)


def test_privacy_officers_read_the_audit_log_and_nothing_about_patients_or_content(client):
    assert permissions_of("Privacy officer") == {"audit.view_auditevent"}
    officer = make_staff("Privacy officer")
    assert not can_view_patient_data(officer) and not can_approve_content(officer)
    client.force_login(officer)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("staff:dashboard")).status_code == 403

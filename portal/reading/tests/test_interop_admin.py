"""The interfaces' admin: the code mapping and the message log need the patient-data right, and looking at the
log is audited (admin_interop)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.content.tests.factories import make_user
from portal.reading.interop.hl7 import hl7_receive
from portal.reading.models import AppointmentTypeMapping, InterfaceMessage
from portal.reading.tests.factories import make_staff
from portal.reading.tests.interop_messages import corepoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(treatment):
    mapping = AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    hl7_receive(corepoint())
    return InterfaceMessage.objects.get(), mapping


def urls(message, mapping):
    return [
        reverse("admin:reading_interfacemessage_changelist"),
        reverse("admin:reading_interfacemessage_change", args=[message.pk]),
        reverse("admin:reading_appointmenttypemapping_changelist"),
        reverse("admin:reading_appointmenttypemapping_add"),
        reverse("admin:reading_appointmenttypemapping_change", args=[mapping.pk]),
    ]


def test_model_permissions_without_the_patient_data_right_open_nothing(message):
    user = make_user(staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="reading").exclude(codename="view_patient_data")
    )
    browser = Client()
    browser.force_login(user)
    for url in urls(*message):
        assert browser.get(url).status_code == 403, url
    assert not AuditEvent.objects.exists()


def test_clinic_staff_see_the_last_messages_and_edit_the_mapping_and_looks_are_audited(message):
    browser = Client()
    browser.force_login(make_staff("Clinic staff"))
    for url in urls(*message):
        assert browser.get(url).status_code == 200, url
    listing = browser.get(reverse("admin:reading_interfacemessage_changelist")).content.decode()
    assert "20080306953450" in listing and "Session created" in listing
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"admin.interface_message.list", "admin.interface_message.view"} <= actions
    change = reverse("admin:reading_interfacemessage_change", args=[message[0].pk])
    assert browser.post(change, {}).status_code == 403  # the record is not edited

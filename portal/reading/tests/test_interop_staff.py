"""Staff see where a session came from (HL7 control id, FHIR Appointment id) and today's counts of what the EHR
sent (selectors.session_source, interface_counts_today; the session page and the dashboard)."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.reading import selectors
from portal.reading.interop.hl7 import hl7_receive
from portal.reading.models import AppointmentTypeMapping, TreatmentSession
from portal.reading.tests.factories import make_session
from portal.reading.tests.interop_messages import TESTDATA, corepoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(treatment):
    AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    AppointmentTypeMapping.objects.create(system="", code="FOLLOWUP", treatment=treatment)
    return treatment


def test_the_session_page_says_which_hl7_message_made_and_last_changed_it(mapped, staff):
    hl7_receive(corepoint(event="S12", control_id="FIRST-1"))
    hl7_receive(corepoint(control_id="MOVE-2", time="200803071000", start="200803141530"))
    session = TreatmentSession.objects.get()
    page = staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()
    assert "HL7 v2 (EHR)" in page and "00331839401" in page and "MOVE-2" in page and "CTX" in page


def test_the_session_page_names_the_fhir_appointment(mapped, staff, tmp_path):
    resource = json.loads((TESTDATA / "fhir" / "appointment-example.json").read_text())
    resource["participant"][0]["actor"]["identifier"] = {"value": "12345"}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]}))
    call_command("import_fhir_appointments", str(path), "--system", "https://ehr.example/fhir")
    session = TreatmentSession.objects.get()
    page = staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()
    assert "FHIR (EHR)" in page and "https://ehr.example/fhir" in page and "<code>example</code>" in page


def test_a_session_staff_made_says_so_without_ehr_details(staff):
    session, _ = make_session()
    source = selectors.session_source(session=session)
    assert (str(source.kind), source.external_id, source.last_control_id) == ("Staff", "", "")
    page = staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()
    assert "Staff" in page and "Last message from the EHR" not in page


def test_the_dashboard_counts_todays_imported_updated_cancelled_and_rejected(mapped, staff):
    dashboard = reverse("staff:dashboard")
    assert "From the EHR today" not in staff.get(dashboard).content.decode()
    hl7_receive(corepoint(event="S12", control_id="1"))
    hl7_receive(corepoint(control_id="2", time="200803071000", start="200803141530"))
    hl7_receive(corepoint(event="S15", control_id="3", time="200803081000"))
    hl7_receive("not a message")
    hl7_receive(corepoint(control_id="1"))
    counts = selectors.interface_counts_today()
    assert counts == {"imported": 1, "updated": 1, "cancelled": 1, "rejected": 1, "ignored": 1, "total": 5}
    page = staff.get(dashboard).content.decode()
    assert "From the EHR today: 1 imported, 1 moved, 1 cancelled or no-show, 1 rejected, 1 ignored." in page

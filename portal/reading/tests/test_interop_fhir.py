"""FHIR R4 Appointments from the specification's examples (testdata/fhir): a Bundle file, a server's search in
pages behind a bearer token, a cancel and a no-show, each appointment once (interop.fhir,
manage.py import_fhir_appointments)."""

import copy
import datetime
import http.server
import json
import threading
import urllib.parse

import pytest
from django.core.management import CommandError, call_command

from portal.reading.models import (
    AppointmentTypeMapping,
    InterfaceMessage,
    Patient,
    SessionSource,
    SessionStatus,
    TreatmentSession,
)
from portal.reading.tests.interop_messages import TESTDATA

pytestmark = pytest.mark.django_db
PATIENT_SYSTEM = "urn:oid:1.2.36.146.595.217.0.1"
TOKEN = "test-bearer-token-123"


def example(name):
    return json.loads((TESTDATA / "fhir" / name).read_text())


def appointment(**changes):
    resource = example("appointment-example.json")
    resource.update(changes)
    return resource


def bundle(*appointments, next_url=None, patient=True):
    entries = [{"fullUrl": f"http://ehr.example/fhir/Appointment/{a['id']}", "resource": a} for a in appointments]
    if patient:
        entries.append(
            {
                "fullUrl": "http://ehr.example/fhir/Patient/example",
                "resource": example("patient-example.json"),
                "search": {"mode": "include"},
            }
        )
    data = {"resourceType": "Bundle", "type": "searchset", "entry": entries, "link": []}
    if next_url:
        data["link"].append({"relation": "next", "url": next_url})
    return data


@pytest.fixture
def mapped(treatment, settings):
    settings.FHIR_PATIENT_IDENTIFIER_SYSTEM = PATIENT_SYSTEM
    AppointmentTypeMapping.objects.create(
        system="http://terminology.hl7.org/CodeSystem/v2-0276", code="FOLLOWUP", treatment=treatment
    )
    return treatment


def import_file(tmp_path, data, name="bundle.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    call_command("import_fhir_appointments", str(path), "--system", "http://ehr.example/fhir")


def test_the_specifications_appointment_in_a_bundle_creates_one_session(mapped, tmp_path):
    import_file(tmp_path, bundle(appointment()))
    session = TreatmentSession.objects.get()
    assert (session.source, session.source_system, session.external_id) == (
        SessionSource.FHIR,
        "http://ehr.example/fhir",
        "example",
    )
    assert session.scheduled_at == datetime.datetime(2013, 12, 10, 9, 0, tzinfo=datetime.UTC)
    assert (session.patient.reference, session.patient.display_name, session.patient.mobile_number) == (
        "12345",
        "P.C.",
        "",
    )
    import_file(tmp_path, bundle(appointment()))  # again: nothing new
    assert TreatmentSession.objects.count() == 1
    assert list(InterfaceMessage.objects.order_by("pk").values_list("result", flat=True)) == ["created", "unchanged"]


def test_a_moved_cancelled_and_older_appointment(mapped, tmp_path):
    import_file(tmp_path, bundle(appointment(meta={"lastUpdated": "2013-10-10T10:00:00Z"})))
    moved = appointment(meta={"lastUpdated": "2013-10-11T10:00:00Z"}, start="2013-12-12T09:00:00Z")
    import_file(tmp_path, bundle(moved))
    session = TreatmentSession.objects.get()
    assert session.scheduled_at.day == 12
    older = appointment(meta={"lastUpdated": "2013-10-09T10:00:00Z"}, status="cancelled")
    import_file(tmp_path, bundle(older))
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    cancelled = appointment(meta={"lastUpdated": "2013-10-12T10:00:00Z"}, status="cancelled")
    import_file(tmp_path, bundle(cancelled))
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    results = list(InterfaceMessage.objects.order_by("pk").values_list("result", flat=True))
    assert results == ["created", "updated", "stale", "cancelled"]


def test_a_no_show_and_a_proposed_appointment(mapped, tmp_path):
    import_file(tmp_path, bundle(appointment()))
    import_file(tmp_path, bundle(appointment(status="noshow"), appointment(id="later", status="proposed")))
    assert TreatmentSession.objects.get().status == SessionStatus.NO_SHOW
    assert InterfaceMessage.objects.get(control_id="later").result == "ignored"


def test_an_unmapped_service_type_is_ignored_and_an_invalid_resource_refused(mapped, tmp_path):
    unmapped = appointment(id="other", appointmentType={"coding": [{"system": "http://x", "code": "Y"}]})
    invalid = appointment(id="bad", start="the tenth of December")
    with pytest.raises(CommandError, match="1 refused"):
        import_file(tmp_path, bundle(unmapped, invalid))
    assert not TreatmentSession.objects.exists() and not Patient.objects.exists()
    assert dict(InterfaceMessage.objects.values_list("control_id", "result")) == {
        "other": "ignored",
        "bad": "rejected",
    }


def test_a_patient_without_the_clinics_identifier_is_refused(mapped, tmp_path, settings):
    settings.FHIR_PATIENT_IDENTIFIER_SYSTEM = "https://riverside.example/patients"
    with pytest.raises(CommandError):
        import_file(tmp_path, bundle(appointment()))
    assert InterfaceMessage.objects.get().error == "the patient has no identifier of the clinic's system"


def test_not_a_bundle_is_refused_whole(mapped, tmp_path):
    with pytest.raises(CommandError, match="not a FHIR Bundle"):
        import_file(tmp_path, appointment())
    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_fhir_appointments", str(tmp_path / "x.json"))


class FhirServer(http.server.ThreadingHTTPServer):
    """A FHIR server's Appointment search in two pages, answering only with the bearer token."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FhirHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}/fhir"
        self.requests = []
        self.pages = {
            "1": bundle(appointment(), next_url=f"{self.base}/Appointment?page=2"),
            "2": bundle(appointment(id="second", start="2013-12-11T15:00:00Z")),
        }


class FhirHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server API
        self.server.requests.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.send_response(401)
            self.end_headers()
            return
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        body = json.dumps(self.server.pages[query.get("page", ["1"])[0]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fhir_server():
    server = FhirServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_servers_search_is_followed_through_its_next_links_with_the_bearer_token(mapped, fhir_server, settings):
    settings.FHIR_BEARER_TOKEN = TOKEN
    call_command("import_fhir_appointments", "--server", fhir_server.base, "--since", "2013-12-01")
    assert set(TreatmentSession.objects.values_list("external_id", flat=True)) == {"example", "second"}
    first, second = fhir_server.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(first[0]).query)
    assert query["date"] == ["ge2013-12-01"]
    assert query["service-type"] == ["http://terminology.hl7.org/CodeSystem/v2-0276|FOLLOWUP"]
    assert second[0].endswith("page=2") and {first[1], second[1]} == {f"Bearer {TOKEN}"}
    call_command("import_fhir_appointments", "--server", fhir_server.base)  # the same pages again
    assert TreatmentSession.objects.count() == 2


def test_a_wrong_token_and_a_next_link_to_another_server(mapped, fhir_server, settings):
    settings.FHIR_BEARER_TOKEN = "wrong"
    with pytest.raises(CommandError, match="answered 401"):
        call_command("import_fhir_appointments", "--server", fhir_server.base)
    settings.FHIR_BEARER_TOKEN = TOKEN
    fhir_server.pages["1"] = copy.deepcopy(fhir_server.pages["1"])
    fhir_server.pages["1"]["link"][0]["url"] = "http://127.0.0.2:9/fhir/Appointment?page=2"
    with pytest.raises(CommandError, match="another server"):
        call_command("import_fhir_appointments", "--server", fhir_server.base)
    assert len(fhir_server.requests) == 2  # the token never went to the other address
    assert TreatmentSession.objects.count() == 1


@pytest.mark.parametrize(
    "mode, expected", [("initials", "P.C."), ("full", "Peter James Chalmers"), ("none", "")], ids=lambda v: str(v)
)
def test_without_the_patient_resource_the_name_comes_from_the_participant_as_the_clinic_chose(
    mapped, tmp_path, settings, mode, expected
):
    settings.HL7_STORE_NAMES = mode
    resource = appointment()
    resource["participant"][0]["actor"]["identifier"] = {"system": PATIENT_SYSTEM, "value": "12345"}
    import_file(tmp_path, bundle(resource, patient=False))
    assert Patient.objects.get(reference="12345").display_name == expected

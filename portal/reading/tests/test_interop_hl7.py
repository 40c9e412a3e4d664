"""HL7 v2 SIU messages as published (testdata/hl7) read, applied once, in order, and answered (interop.hl7)."""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from hl7apy.parser import parse_message

from portal.reading.interop.hl7 import hl7_receive, parse_dtm
from portal.reading.interop.payload import payload_read
from portal.reading.models import (
    AppointmentTypeMapping,
    InterfaceMessage,
    InterfaceResult,
    Patient,
    SessionSource,
    SessionStatus,
    TreatmentSession,
)
from portal.reading.services.sessions import session_issue_link
from portal.reading.signals import session_imported, session_schedule_changed
from portal.reading.tests.interop_messages import TESTDATA, corepoint, derive, published

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture
def mapped(treatment, settings):
    settings.TIME_ZONE = "America/New_York"
    AppointmentTypeMapping.objects.create(system="", code="HLCK", treatment=treatment)
    return treatment


@pytest.fixture
def changes():
    seen = []

    def listener(sender, *, session, change, **kwargs):
        seen.append((session.pk, change))

    session_schedule_changed.connect(listener, dispatch_uid="test_interop_changes")
    yield seen
    session_schedule_changed.disconnect(dispatch_uid="test_interop_changes")


def ack_of(received):
    message = parse_message(received.ack)
    return message.msa.msa_1.to_er7(), message.msa.msa_2.to_er7()


def test_a_published_siu_message_creates_one_session_with_its_reading_list_and_source(mapped):
    received = hl7_receive(published("corepoint-siu-s14.hl7"))
    assert ack_of(received) == ("AA", "20080306953450")
    session = TreatmentSession.objects.get()
    assert (session.source, session.source_system, session.external_id) == (SessionSource.HL7, "CTX", "00331839401")
    assert session.scheduled_at == datetime.datetime(2008, 3, 6, 10, 0, tzinfo=NEW_YORK)
    assert session.treatment == mapped and session.items.count() == 3
    assert (session.patient.reference, session.patient.display_name) == ("489671", "M.S.")
    message = InterfaceMessage.objects.get()
    assert (message.control_id, message.message_type, message.result) == ("20080306953450", "SIU^S14", "created")
    assert message.session == session and message.payload_encrypted is None


@pytest.fixture
def imported():
    seen = []

    def listener(sender, *, session, source, **kwargs):
        seen.append((session, source))

    session_imported.connect(listener, dispatch_uid="test_interop_imported")
    yield seen
    session_imported.disconnect(dispatch_uid="test_interop_imported")


def test_a_replay_and_a_second_engine_sending_the_same_appointment_make_one_session(mapped, imported):
    hl7_receive(corepoint())
    again = hl7_receive(corepoint())
    other_engine = hl7_receive(corepoint(control_id="ENGINE2-77"))
    assert [again.code, other_engine.code] == ["AA", "AA"]
    assert [again.result, other_engine.result] == ["unchanged", "unchanged"]
    assert TreatmentSession.objects.count() == 1 and Patient.objects.count() == 1
    assert InterfaceMessage.objects.count() == 3
    assert imported == [(TreatmentSession.objects.get(), "hl7")]  # once: what gives the link plans it


def test_a_reschedule_moves_the_session_keeps_its_records_and_replans(mapped, changes):
    hl7_receive(corepoint(event="S12"))
    session = TreatmentSession.objects.get()
    item_ids = set(session.items.values_list("pk", flat=True))
    moved = hl7_receive(corepoint(control_id="M2", time="200803071000", start="200803141530"))
    assert moved.result == "updated"
    session.refresh_from_db()
    assert session.scheduled_at == datetime.datetime(2008, 3, 14, 15, 30, tzinfo=NEW_YORK)
    assert set(session.items.values_list("pk", flat=True)) == item_ids
    assert changes == [(session.pk, "rescheduled")]


def test_an_older_message_than_the_last_change_changes_nothing(mapped, changes):
    hl7_receive(corepoint(control_id="NEW", time="200803071000", start="200803141530"))
    late = hl7_receive(corepoint(control_id="OLD", time="200803051000", start="200803201000"))
    assert (late.code, late.result) == ("AA", "stale")
    session = TreatmentSession.objects.get()
    assert session.scheduled_at == datetime.datetime(2008, 3, 14, 15, 30, tzinfo=NEW_YORK)
    late_cancel = hl7_receive(corepoint(event="S15", control_id="OLDC", time="200803051100"))
    assert late_cancel.result == "stale"
    assert TreatmentSession.objects.get().status == SessionStatus.SCHEDULED and changes == []


def test_a_cancel_cancels_through_session_cancel_and_stops_the_link(mapped, changes):
    hl7_receive(corepoint(event="S12"))
    session = TreatmentSession.objects.get()
    session_issue_link(session=session)
    cancelled = hl7_receive(corepoint(event="S15", control_id="C1", time="200803061000"))
    assert (cancelled.code, cancelled.result) == ("AA", "cancelled")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED and not session.link_is_valid
    assert changes == [(session.pk, "cancelled")]
    # A later reschedule does not bring a cancelled session back.
    assert hl7_receive(corepoint(control_id="M9", time="200803081000", start="200803301000")).result == "unchanged"
    assert TreatmentSession.objects.get().status == SessionStatus.CANCELLED


def test_a_no_show_marks_the_session_no_show(mapped, changes):
    hl7_receive(corepoint(event="S12"))
    no_show = hl7_receive(corepoint(event="S26", control_id="N1", time="200803061200"))
    assert no_show.result == "no_show"
    assert TreatmentSession.objects.get().status == SessionStatus.NO_SHOW
    assert changes[-1][1] == "no_show"


def test_a_cancel_for_an_unknown_appointment_is_answered_and_counted(mapped):
    received = hl7_receive(corepoint(event="S15"))
    assert (received.code, received.result) == ("AA", "ignored")
    assert not TreatmentSession.objects.exists()


def test_an_unmapped_appointment_is_ignored_not_guessed(treatment, settings):
    settings.HL7_PATIENT_ID_AUTHORITY = "NHS"
    received = hl7_receive(published("pkb-siu-s12.hl7"))  # only a text reason ("checkup"): nothing to map
    assert (received.code, received.result) == ("AA", "ignored")
    assert not TreatmentSession.objects.exists() and not Patient.objects.exists()
    assert InterfaceMessage.objects.get().error == "no appointment type or service code"
    AppointmentTypeMapping.objects.create(system="LOCAL", code="OTHER", treatment=treatment)
    coded = derive(published("pkb-siu-s12.hl7"), control_id="P2", sch8="CHECKUP^Check up^LOCAL")
    assert hl7_receive(coded).result == "ignored"
    assert InterfaceMessage.objects.first().error == "appointment type not mapped to a treatment"


def test_codes_mapping_to_two_treatments_are_not_guessed(mapped):
    from portal.reading.tests.factories import make_treatment

    AppointmentTypeMapping.objects.create(system="", code="HHR", treatment=make_treatment())  # AIL-3 location
    received = hl7_receive(corepoint())
    assert (received.code, received.result) == ("AA", "ignored")
    assert InterfaceMessage.objects.get().error == "appointment codes map to more than one treatment"
    AppointmentTypeMapping.objects.filter(code="HHR").update(is_active=False)
    assert hl7_receive(corepoint()).result == "created"


def test_the_name_is_stored_as_initials_and_contact_details_only_when_the_clinic_chooses(treatment, settings):
    settings.HL7_PATIENT_ID_AUTHORITY = "NHS"
    AppointmentTypeMapping.objects.create(system="LOCAL", code="SPRAVATO", treatment=treatment)
    pkb = derive(published("pkb-siu-s12.hl7"), sch8="SPRAVATO^Spravato session^LOCAL")
    assert hl7_receive(pkb).result == "created"
    patient = Patient.objects.get()
    assert (patient.reference, patient.display_name) == ("9999999999", "J.S.")
    assert (patient.email, patient.mobile_number) == ("", "")
    settings.HL7_ACCEPT_CONTACT_DETAILS = True
    settings.HL7_STORE_NAMES = "full"
    hl7_receive(derive(pkb, control_id="ABC2", time="201303081000"))
    patient.refresh_from_db()
    assert (patient.display_name, patient.email) == ("John Smith", "john.smith@company.com")


def test_a_patient_without_an_identifier_of_the_clinics_authority_is_refused_and_nothing_saved(mapped, settings):
    settings.HL7_PATIENT_ID_AUTHORITY = "RIVERSIDE"
    received = hl7_receive(corepoint())
    assert ack_of(received) == ("AE", "20080306953450")
    assert "RIVERSIDE" in parse_message(received.ack).msa.msa_3.to_er7()
    assert not TreatmentSession.objects.exists() and not Patient.objects.exists()
    assert InterfaceMessage.objects.get().result == InterfaceResult.REJECTED


@pytest.mark.parametrize(
    "text, code",
    [
        ("hello, this is not HL7", "AR"),
        ("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||ADT^A01|X1|P|2.3\rPID|1||489671\r", "AR"),
        ("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||SIU^S12|X2|P|2.8\rSCH|1\rPID|1||489671\r", "AR"),
        ("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||SIU^S12|X3|P|2.3\rPID|1||489671\r", "AE"),
        ("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||SIU^S12|X4|P|2.3\rSCH|A1\rPID|1||489671\r", "AE"),
        ("MSH|", "AR"),
    ],
    ids=["not-hl7", "not-siu", "version", "no-sch", "no-start", "truncated"],
)
def test_a_malformed_message_is_refused_with_the_reason_and_nothing_is_saved(mapped, text, code):
    received = hl7_receive(text)
    assert received.code == code and received.result == "rejected"
    assert parse_message(received.ack).msa.msa_1.to_er7() == code
    assert not TreatmentSession.objects.exists() and not Patient.objects.exists()
    assert InterfaceMessage.objects.get().result == "rejected"


def test_nothing_about_the_patient_is_logged(mapped, caplog):
    caplog.set_level("DEBUG")
    hl7_receive(corepoint())
    hl7_receive("MSH|^~\\&|GPMS|CTX||MED2000|200803060953||SIU^S12|X3|P|2.3\rPID|1||489671^^^X|0|SMITH^MICHAEL\r")
    assert "20080306953450" in caplog.text
    for phi in ("SMITH", "MICHAEL", "489671", "832"):
        assert phi not in caplog.text


def test_the_payload_is_dropped_or_kept_encrypted_as_configured(mapped, settings):
    settings.INTERFACE_PAYLOAD_RETENTION = "encrypt"
    text = corepoint()
    hl7_receive(text)
    kept = InterfaceMessage.objects.get().payload_encrypted
    assert b"SMITH" not in bytes(kept)
    assert payload_read(kept) == text.strip("\r\n")


def test_hl7_times_with_and_without_a_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    assert parse_dtm("201411201231") == datetime.datetime(2014, 11, 20, 12, 31, tzinfo=NEW_YORK)
    assert parse_dtm("20141120123015.5-0500").utcoffset() == datetime.timedelta(hours=-5)
    assert parse_dtm("2014132") is None and parse_dtm("20141340") is None


def test_import_hl7_reads_files_of_one_or_many_messages(mapped, tmp_path, capsys):
    batch = tmp_path / "batch.hl7"
    batch.write_text(
        "FHS|^~\\&|GPMS\n"
        + corepoint(event="S12").replace("\r", "\n")
        + corepoint(event="S15", control_id="C7", time="200803061100").replace("\r", "\n")
        + "FTS|2\n"
    )
    call_command("import_hl7", str(batch))
    assert TreatmentSession.objects.get().status == SessionStatus.CANCELLED
    assert "2 message(s) accepted" in capsys.readouterr().out
    with pytest.raises(CommandError, match="1 refused"):
        call_command("import_hl7", str(TESTDATA / "hl7" / "corepoint-siu-s14.hl7"), str(TESTDATA / "hl7" / "README.md"))
    assert TreatmentSession.objects.count() == 1


def test_purge_deletes_messages_older_than_the_retention(mapped, settings):
    from django.utils import timezone

    hl7_receive(corepoint())
    hl7_receive(corepoint(control_id="R2"))
    InterfaceMessage.objects.filter(control_id="R2").update(received_at=timezone.now() - datetime.timedelta(days=31))
    call_command("purge_interface_messages")
    assert list(InterfaceMessage.objects.values_list("control_id", flat=True)) == ["20080306953450"]
    assert TreatmentSession.objects.count() == 1

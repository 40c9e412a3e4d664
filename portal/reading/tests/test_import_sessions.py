"""manage.py import_sessions FILE.csv"""

import datetime
import io
import re
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from portal.reading.models import Patient, SessionItem, TreatmentSession
from portal.reading.services.sessions import session_revoke_link
from portal.reading.tests.factories import make_reading_article, make_treatment

pytestmark = pytest.mark.django_db

HEADER = "patient_reference,patient_name,email,treatment,scheduled_at\n"
LINK_RE = re.compile(r"(https?://\S+/p/([A-Za-z0-9_-]{43})/)")


@pytest.fixture
def treatment():
    return make_treatment(make_reading_article(), make_reading_article(), slug="spravato")


def run(tmp_path, text, *args):
    path = tmp_path / "sessions.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_sessions", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_rows_become_patients_and_sessions_with_their_reading_list_and_a_working_link(tmp_path, treatment, settings):
    settings.PORTAL_BASE_URL = "https://portal.clinic.example"
    out, err, error = run(
        tmp_path,
        HEADER
        + "R-1,A. Patient,a@example.org,spravato,2026-12-01T10:00\n"
        + "R-2,B. Patient,,spravato,2026-12-01T11:30:00-05:00\n",
    )

    assert error is None and err == ""
    assert TreatmentSession.objects.count() == 2
    first = TreatmentSession.objects.get(patient__reference="R-1")
    assert first.patient.display_name == "A. Patient" and first.patient.email == "a@example.org"
    assert first.items.count() == 2
    links = LINK_RE.findall(out)
    assert len(links) == 2
    assert all(link.startswith("https://portal.clinic.example/p/") for link, _ in links)
    assert "created session" in out and "2 row(s) imported, 0 row(s) failed" in out
    client = Client()
    assert client.get(links[0][0].removeprefix("https://portal.clinic.example")).status_code == 302
    assert "A. Patient" not in out  # the output names patients by reference only


def test_a_time_without_offset_is_clinic_local_time_and_an_offset_is_respected(tmp_path, treatment, settings):
    settings.TIME_ZONE = "America/New_York"
    run(
        tmp_path,
        HEADER + "R-1,A,,spravato,2026-07-01T10:00\n" + "R-2,B,,spravato,2026-07-01T10:00:00+00:00\n",
    )

    clinic = zoneinfo.ZoneInfo("America/New_York")
    local = TreatmentSession.objects.get(patient__reference="R-1").scheduled_at
    utc = TreatmentSession.objects.get(patient__reference="R-2").scheduled_at
    assert local == datetime.datetime(2026, 7, 1, 10, 0, tzinfo=clinic)
    assert utc == datetime.datetime(2026, 7, 1, 10, 0, tzinfo=datetime.UTC)


def test_importing_the_same_file_again_changes_nothing_and_keeps_the_links(tmp_path, treatment):
    text = HEADER + "R-1,A. Patient,a@example.org,spravato,2026-12-01T10:00\n"
    first_out, _, _ = run(tmp_path, text)
    [(link, token)] = LINK_RE.findall(first_out)

    out, _, error = run(tmp_path, text)

    assert error is None
    assert TreatmentSession.objects.count() == 1 and Patient.objects.count() == 1 and SessionItem.objects.count() == 2
    assert "unchanged" in out and "its link still works" in out
    assert not LINK_RE.findall(out)
    assert TreatmentSession.objects.get().link_matches(token)


def test_reissue_links_gives_existing_sessions_new_links(tmp_path, treatment):
    text = HEADER + "R-1,A,,spravato,2026-12-01T10:00\n"
    [(_, old)] = LINK_RE.findall(run(tmp_path, text)[0])

    out, _, _ = run(tmp_path, text, "--reissue-links")

    [(_, new)] = LINK_RE.findall(out)
    session = TreatmentSession.objects.get()
    assert "new link" in out
    assert session.link_matches(new) and not session.link_matches(old)


def test_a_revoked_link_is_not_reissued_without_asking(tmp_path, treatment):
    text = HEADER + "R-1,A,,spravato,2026-12-01T10:00\n"
    run(tmp_path, text)
    session_revoke_link(session=TreatmentSession.objects.get())

    out, _, _ = run(tmp_path, text)

    assert "link revoked, not reissued" in out and not LINK_RE.findall(out)


def test_the_patients_name_and_email_follow_the_latest_file(tmp_path, treatment):
    run(tmp_path, HEADER + "R-1,Old Name,old@example.org,spravato,2026-12-01T10:00\n")
    run(tmp_path, HEADER + "R-1,New Name,new@example.org,spravato,2026-12-08T10:00\n")

    patient = Patient.objects.get()
    assert (patient.display_name, patient.email) == ("New Name", "new@example.org")
    assert patient.sessions.count() == 2


def test_a_wrong_header_is_refused_as_a_whole_naming_the_missing_columns(tmp_path, treatment):
    out, _, error = run(
        tmp_path,
        "patient_reference,name,treatment,when\nR-1,A,spravato,2026-12-01T10:00\n",
    )

    assert isinstance(error, CommandError)
    assert "patient_name, email, scheduled_at" in str(error)
    assert "Nothing was imported" in str(error)
    assert not Patient.objects.exists() and not TreatmentSession.objects.exists()


def test_an_empty_file_is_refused(tmp_path, treatment):
    _, _, error = run(tmp_path, "")
    assert "missing the columns" in str(error)


def test_columns_may_come_in_any_order_and_case_with_extra_columns_ignored(tmp_path, treatment):
    out, _, error = run(
        tmp_path,
        "Scheduled_At,Treatment,Notes,Patient_Name,Email,Patient_Reference\n2026-12-01T10:00,spravato,ignored,A,,R-1\n",
    )
    assert error is None
    assert TreatmentSession.objects.get().patient.reference == "R-1"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("R-9,Z,,spravato,1 December 2026", "scheduled_at", "Not an ISO 8601 date and time"),
        ("R-9,Z,,spravato,2026-12-01", "scheduled_at", "A time is needed"),
        ("R-9,Z,,spravato,", "scheduled_at", "This field is required"),
        ("R-9,Z,,no-such-treatment,2026-12-01T10:00", "treatment", "No active treatment"),
        ("R-9,Z,not-an-email,spravato,2026-12-01T10:00", "email", "valid email"),
        (",Z,,spravato,2026-12-01T10:00", "patient_reference", "This field is required"),
        ("R-9,,,spravato,2026-12-01T10:00", "patient_name", "This field is required"),
        ("R-9," + "x" * 121 + ",,spravato,2026-12-01T10:00", "patient_name", "at most 120 characters"),
    ],
)
def test_a_bad_row_is_reported_with_line_and_column_and_the_other_rows_are_imported(
    tmp_path, treatment, row, column, message
):
    out, err, error = run(
        tmp_path,
        HEADER + "R-1,A,,spravato,2026-12-01T10:00\n" + row + "\n" + "R-2,B,,spravato,2026-12-01T11:00\n",
    )

    assert isinstance(error, CommandError)  # manage.py exits with status 1
    assert "2 row(s) imported, 1 row(s) failed" in str(error)
    assert re.search(rf"line 3: column {column}: .*{re.escape(message)}", err), err
    assert sorted(TreatmentSession.objects.values_list("patient__reference", flat=True)) == ["R-1", "R-2"]
    assert not Patient.objects.filter(reference="R-9").exists()
    assert len(LINK_RE.findall(out)) == 2


def test_a_row_with_more_values_than_columns_is_refused(tmp_path, treatment):
    _, err, error = run(tmp_path, HEADER + "R-1,A,,spravato,2026-12-01T10:00,extra\n")

    assert "line 2: more values than columns" in err
    assert error is not None and not Patient.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_sessions", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path, treatment):
    path = tmp_path / "latin1.csv"
    good = HEADER + "R-0,A,,spravato,2026-12-01T09:00\n"
    path.write_bytes(good.encode() + "R-1,Zoë,,spravato,2026-12-01T10:00\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8.*Nothing was imported"):
        call_command("import_sessions", str(path), stdout=io.StringIO())
    assert not Patient.objects.exists()


def test_a_spreadsheet_byte_order_mark_is_accepted(tmp_path, treatment):
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + "R-1,A,,spravato,2026-12-01T10:00\n").encode("utf-8"))
    call_command("import_sessions", str(path), stdout=io.StringIO())
    assert TreatmentSession.objects.count() == 1

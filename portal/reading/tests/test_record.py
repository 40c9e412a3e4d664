"""The education record for the chart: staff page, PDF (parsed back), FHIR R4 DocumentReference (validated)."""

import base64
import hashlib
import io
import json

import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.documentreference import DocumentReference

from portal.audit.models import AuditEvent
from portal.reading.models import ChecklistItem
from portal.reading.services.readiness import checklist_answer, teach_back_answer
from portal.reading.services.sessions import record_acknowledge, record_ask_question
from portal.reading.tests.factories import make_patient, make_reading_article, make_session, make_staff, make_treatment

pytestmark = pytest.mark.django_db

BODY = "## Getting home\n\nDo not drive until the next day.\n\n## More\n\nText."
QUESTION = (
    "? When may you drive?\n- Tonight\n+ The next day, after sleep\n= You may be sleepy till then.\n# Getting home"
)


@pytest.fixture
def answered():
    article = make_reading_article(title="Treatment day", body=BODY, teach_back=QUESTION)
    treatment = make_treatment(article)
    ChecklistItem.objects.create(
        treatment=treatment, text="I have a ride home.", short_label="ride", approved_text="I have a ride home.",
        approved_short_label="ride",
    )  # fmt: skip
    session, _token = make_session(treatment=treatment, patient=make_patient(display_name="Robin Sample"))
    item = session.items.get()
    record_acknowledge(item=item)
    [question] = article.live_teach_back
    teach_back_answer(item=item, choices={question["key"]: 0})
    teach_back_answer(item=item, choices={question["key"]: 1})
    checklist_answer(session=session, checklist_item=treatment.checklist_items.get(), ready=True)
    record_ask_question(item=item, text="Can my sister drive me?")
    item.record.refresh_from_db()
    staff = Client()
    staff.force_login(make_staff())
    return session, item, staff


def test_the_record_page_shows_versions_hashes_answers_checklist_questions_and_who_viewed_it(answered):
    session, item, staff = answered
    response = staff.get(reverse("staff:record", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (item.record.content_hash, "v1", "Tonight", "The next day, after sleep", "I have a ride home.",
                 "Can my sister drive me?", "record.view", "Riverside Clinic", session.patient.reference):  # fmt: skip
        assert text in html, text
    assert "Robin Sample" not in html  # the clinic has not opted in to names
    assert AuditEvent.objects.filter(action="record.view", subject=f"session={session.pk}").count() == 1


def test_the_name_appears_only_when_the_clinic_opts_in(answered, settings):
    session, _item, staff = answered
    settings.EDUCATION_RECORD_SHOWS_PATIENT_NAME = True
    assert "Robin Sample" in staff.get(reverse("staff:record", kwargs={"pk": session.pk})).content.decode()


def test_the_pdf_opens_and_carries_each_pages_version_hash(answered):
    session, item, staff = answered
    response = staff.get(reverse("staff:record_pdf", kwargs={"pk": session.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert item.record.content_hash in text
    assert "Patient education record" in text and "I have a ride home." in text
    assert AuditEvent.objects.filter(action="record.pdf").count() == 1


def test_the_fhir_resource_validates_and_attaches_the_pdf(answered):
    session, item, staff = answered
    response = staff.get(reverse("staff:record_fhir", kwargs={"pk": session.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)
    resource = DocumentReference.parse_obj(data)  # raises when invalid
    assert resource.status == "current" and resource.type.coding[0].code == "34895-3"
    attachment = resource.content[0].attachment
    pdf = base64.b64decode(attachment.data)
    assert pdf.startswith(b"%PDF") and attachment.size == len(pdf)
    assert base64.b64decode(attachment.hash) == hashlib.sha1(pdf).digest()  # noqa: S324
    assert item.record.content_hash in resource.description
    assert resource.subject.identifier.value == session.patient.reference and resource.subject.display is None
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError
        DocumentReference.parse_obj({key: value for key, value in data.items() if key != "content"})  # 1..1


def test_only_staff_with_patient_data_rights_see_records_and_an_unknown_session_is_a_404(answered):
    session, _item, _staff = answered
    editor = Client()
    editor.force_login(make_staff("Editor"))
    for name in ("staff:record", "staff:record_pdf", "staff:record_fhir"):
        assert editor.get(reverse(name, kwargs={"pk": session.pk})).status_code == 403
        assert Client().get(reverse(name, kwargs={"pk": session.pk})).status_code == 302
    staff = Client()
    staff.force_login(make_staff())
    assert staff.get(reverse("staff:record", kwargs={"pk": 999999})).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="record.").exists()

"""The education record of one session, for the patient's chart (issue 13): what the patient was shown (each page's
exact version, language and content hash), what they did with it, what they answered, and who looked at it.

Three forms of the same record, made here so that the views only choose the response:
- `education_record(*, session)`: the record as plain data (the staff page and the PDF render it);
- `record_pdf(*, html, base_url)`: that page as a PDF (WeasyPrint; imported only when a PDF is made, so the
  portal runs where Pango is missing until someone asks for one);
- `record_fhir(*, record, pdf)`: a FHIR R4 (4.0.1) DocumentReference with the PDF attached, validated by building
  it with fhir.resources 6.4 (pydantic models of R4): a resource that does not validate raises, never goes out.

The patient's name is in the record only when the clinic opts in (EDUCATION_RECORD_SHOWS_PATIENT_NAME); otherwise
the chart matches the record by the clinic's patient reference.
"""

import base64
import dataclasses
import datetime
import hashlib
import json

from django.conf import settings
from django.utils import timezone

from portal.audit.selectors import audit_events_about
from portal.reading.models import ChecklistAnswer, SessionItem, TeachBackAnswer, TreatmentSession

RECORD_ACTION_PREFIX = "record."
RECORD_CSS = "css/record.css"
# LOINC 34895-3 "Education note": the document type the chart files it under.
LOINC_EDUCATION_NOTE = ("http://loinc.org", "34895-3", "Education note")


@dataclasses.dataclass(frozen=True)
class RecordPage:
    item: SessionItem
    title: str
    kind: str
    required: bool
    done: bool
    version: int | None
    acknowledged_version: int | None
    language: str
    content_hash: str
    opened_at: datetime.datetime | None
    reading_seconds: int | None
    end_reached_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    teach_back: list  # TeachBackAnswer rows, oldest first
    needed_help: bool
    questions: list  # PatientQuestion rows


@dataclasses.dataclass(frozen=True)
class EducationRecord:
    session: TreatmentSession
    clinic: str
    patient_reference: str
    patient_name: str  # "" unless the clinic opts in
    pages: list
    checklist: list  # ChecklistAnswer rows
    questions: list  # every PatientQuestion of the session
    views: list  # AuditEvent rows: who looked at this record
    made_at: datetime.datetime
    ready: bool

    @property
    def digest(self):
        """SHA-256 of what the record says (not who viewed it): the same record always has the same digest."""
        facts = {
            "session": self.session.pk,
            "patient": self.patient_reference,
            "pages": [
                [page.title, page.version, page.language, page.content_hash, str(page.acknowledged_at)]
                for page in self.pages
            ],  # fmt: skip
            "teach_back": [[a.question, a.attempt, a.choice_text, a.correct] for p in self.pages for a in p.teach_back],
            "checklist": [[answer.text, answer.ready, str(answer.answered_at)] for answer in self.checklist],
            "questions": [[question.text, str(question.answered_at)] for question in self.questions],
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def record_subject(session):
    return f"session={session.pk}"


def education_record(*, session: TreatmentSession, now: datetime.datetime | None = None) -> EducationRecord:
    """The session's record (session from selectors.staff_session, with its completion): six queries."""
    items = list(
        SessionItem.objects.with_state()
        .filter(session=session)
        .order_by("position")
        .prefetch_related("questions__answered_by")
    )
    answers = {}
    for answer in TeachBackAnswer.objects.filter(item__session=session).order_by("answered_at", "attempt", "pk"):
        answers.setdefault(answer.item_id, []).append(answer)
    pages = [_record_page(item, answers.get(item.pk, [])) for item in items]
    return EducationRecord(
        session=session,
        clinic=settings.CLINIC_NAME,
        patient_reference=session.patient.reference,
        patient_name=session.patient.display_name if settings.EDUCATION_RECORD_SHOWS_PATIENT_NAME else "",
        pages=pages,
        checklist=list(
            ChecklistAnswer.objects.filter(session=session)
            .select_related("checklist_item")
            .order_by("checklist_item__position", "checklist_item__pk")
        ),
        questions=[question for page in pages for question in page.questions],
        views=audit_events_about(subject=record_subject(session), action_prefix=RECORD_ACTION_PREFIX),
        made_at=now or timezone.now(),
        ready=session.is_ready,
    )


def _record_page(item, answers):
    record = item.reading_record
    return RecordPage(
        item=item,
        title=item.title,
        kind=item.page.page_kind,
        required=item.required,
        done=item.is_done,
        version=record.content_version if record else None,
        acknowledged_version=record.acknowledged_version if record else None,
        # The language the page was shown in (a record field once pages are translated), else the site's.
        language=(getattr(record, "language", "") if record else "") or settings.LANGUAGE_CODE,
        content_hash=record.content_hash if record else "",
        opened_at=record.opened_at if record else None,
        reading_seconds=record.reading_seconds if record else None,
        end_reached_at=record.end_reached_at if record else None,
        acknowledged_at=record.acknowledged_at if record else None,
        teach_back=answers,
        needed_help=bool(record and record.teach_back_needed_help),
        questions=list(item.questions.all()),
    )


def record_pdf(*, html: str) -> bytes:
    """The record document (templates/staff/record_document.html) as PDF bytes, styled by static/css/record.css.
    Nothing is fetched: the document links no images or styles, the style sheet is read from disk."""
    import weasyprint  # noqa: PLC0415 - needs Pango: loaded only when a PDF is made
    from django.contrib.staticfiles import finders  # noqa: PLC0415

    def refuse(url, *args, **kwargs):
        raise ValueError(f"the education record fetches nothing ({url})")

    style = weasyprint.CSS(filename=finders.find(RECORD_CSS))
    document = weasyprint.HTML(string=html, base_url="/", url_fetcher=refuse)
    return document.write_pdf(stylesheets=[style])


def record_fhir(*, record: EducationRecord, pdf: bytes) -> dict:
    """The record as a FHIR R4 DocumentReference (JSON-ready dict) with the PDF attached, validated."""
    from fhir.resources.documentreference import DocumentReference  # noqa: PLC0415 - heavy models, loaded on use

    session = record.session
    base = settings.PORTAL_BASE_URL.rstrip("/")
    subject = {"identifier": {"system": f"{base}/fhir/patient-reference", "value": record.patient_reference}}
    if record.patient_name:
        subject["display"] = record.patient_name
    system, code, display = LOINC_EDUCATION_NOTE
    page_lines = [
        f"{page.title} v{page.version} ({page.language}, sha256 {page.content_hash})"
        for page in record.pages
        if page.version
    ]
    resource = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": f"{base}/fhir/education-record", "value": f"{session.pk}-{record.digest[:16]}"},
        "status": "current",
        "docStatus": "final",
        "type": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
        "subject": subject,
        "date": record.made_at.isoformat(),
        "custodian": {"display": record.clinic},
        "description": f"Patient education before {session.treatment.name}: " + "; ".join(page_lines),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "language": settings.LANGUAGE_CODE,
                    "data": base64.b64encode(pdf).decode(),
                    "size": len(pdf),
                    # FHIR's Attachment.hash is the base64 of the data's SHA-1.
                    "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode(),  # noqa: S324 - the spec's choice
                    "title": f"Education record, session {session.pk}",
                    "creation": record.made_at.isoformat(),
                }
            }
        ],
        "context": {"period": {"start": session.scheduled_at.isoformat()}},
    }
    return json.loads(DocumentReference.parse_obj(resource).json())

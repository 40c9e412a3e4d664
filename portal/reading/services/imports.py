"""Sessions from the clinic's scheduling system (manage.py import_sessions): one row at a time."""

import dataclasses
import datetime

from django.db import IntegrityError, transaction

from portal.reading.models import Patient, Treatment, TreatmentSession
from portal.reading.services.patients import patient_upsert
from portal.reading.services.sessions import session_create, session_issue_link


@dataclasses.dataclass(frozen=True)
class ImportedRow:
    session: TreatmentSession
    created: bool
    # A new link token, to be shown once; None when the session's link was left as it was.
    token: str | None


def session_find_or_create(
    *, patient: Patient, treatment: Treatment, scheduled_at: datetime.datetime
) -> tuple[TreatmentSession, bool]:
    """The session of this patient, treatment and time, created (with its reading list) if there is none.
    Returns (session, created); a concurrent import of the same row makes one session (unique constraint)."""
    session = TreatmentSession.objects.filter(patient=patient, treatment=treatment, scheduled_at=scheduled_at).first()
    if session is not None:
        return session, False
    try:
        with transaction.atomic():
            return session_create(patient=patient, treatment=treatment, scheduled_at=scheduled_at), True
    except IntegrityError:
        return TreatmentSession.objects.get(patient=patient, treatment=treatment, scheduled_at=scheduled_at), False


@transaction.atomic
def session_import_row(
    *,
    reference: str,
    display_name: str,
    email: str,
    treatment: Treatment,
    scheduled_at: datetime.datetime,
    reissue_link: bool = False,
) -> ImportedRow:
    """One row of the import, all or nothing: the patient brought up to date, the session found or created.

    A new session gets a link. An existing one keeps its working link (it was shown once, when it was issued)
    unless `reissue_link`; one without a working link gets a new one, except a link staff revoked on purpose."""
    patient, _ = patient_upsert(reference=reference, display_name=display_name, email=email)
    session, created = session_find_or_create(patient=patient, treatment=treatment, scheduled_at=scheduled_at)
    renew = created or reissue_link or (not session.link_is_valid and session.link_revoked_at is None)
    return ImportedRow(session=session, created=created, token=session_issue_link(session=session) if renew else None)

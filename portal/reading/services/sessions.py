"""Cross-model actions on treatment sessions, their patient links and the patient's reading records.

Everything a patient does is safe under concurrent requests (two tabs, a beacon racing a form post,
a resent report): one ReadingRecord per item (OneToOne, created with get_or_create), timestamps
written only while still empty (first write wins), counters added with F(), beacon reports
de-duplicated by their client-made id, and an open question stored once per page (unique constraints).

What a patient was shown comes in as a PageShown (portal.reading.shown), signed into the page they
posted from; callers without one (staff tools, demo data, tests) get the page's live version now.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.reading.models import (
    PAGE_FIELDS,
    PatientQuestion,
    ProgressReport,
    ReadingFrequency,
    ReadingRecord,
    SessionItem,
    SessionStatus,
    TreatmentSession,
    available_page_keys,
    question_text_key,
)
from portal.reading.shown import PageShown, page_shown_now
from portal.reading.signals import session_schedule_changed

# Sessions that did not happen do not count when deciding whether a session is the patient's first.
NOT_HELD = (SessionStatus.CANCELLED, SessionStatus.NO_SHOW)
# Open (unanswered) questions one session may have: plenty for a patient, a wall for a script.
MAX_OPEN_QUESTIONS_PER_SESSION = 20


class PageChangedSinceShown(Exception):
    """The page changed materially (or was withdrawn) after the patient was shown it: nothing is acknowledged."""


class TooManyOpenQuestions(Exception):
    """The session already has MAX_OPEN_QUESTIONS_PER_SESSION open questions."""


# Sessions and links ---------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *, patient, treatment, scheduled_at: datetime.datetime, status: str = SessionStatus.SCHEDULED
) -> TreatmentSession:
    """Create a session and copy the treatment's reading list onto it."""
    session = TreatmentSession.objects.create(
        patient=patient, treatment=treatment, scheduled_at=scheduled_at, status=status
    )
    session_copy_reading_list(session=session)
    return session


def session_is_first_of_treatment(*, session: TreatmentSession) -> bool:
    """True when the patient has no earlier session of this treatment that took place or is still planned."""
    return (
        not TreatmentSession.objects.filter(
            patient_id=session.patient_id, treatment_id=session.treatment_id, scheduled_at__lt=session.scheduled_at
        )
        .exclude(status__in=NOT_HELD)
        .exclude(pk=session.pk)
        .exists()
    )


@transaction.atomic
def session_copy_reading_list(*, session: TreatmentSession) -> list[SessionItem]:
    """Copy the treatment's reading list onto a new session, so later edits of the list do not rewrite history.

    Only pages patients can see now are copied (a draft or archived page on the list is skipped); items marked
    "first session only" are copied only onto the patient's first session of this treatment. Returns the
    items created."""
    first = session_is_first_of_treatment(session=session)
    reading_list = [
        entry
        for entry in session.treatment.reading_list.select_related(*PAGE_FIELDS).order_by("position", "pk")
        if first or entry.frequency != ReadingFrequency.FIRST_SESSION
    ]
    available = available_page_keys(reading_list)
    entries = [entry for entry in reading_list if entry.page_key in available]
    items = [
        SessionItem(
            session=session,
            position=position,
            page=entry.page,
            required=entry.required,
            current_material_version=entry.page.material_version,
        )
        for position, entry in enumerate(entries, start=1)
    ]
    return SessionItem.objects.bulk_create(items)


def session_issue_link(*, session: TreatmentSession) -> str:
    """Replace any earlier link with a new one (the old token stops working) and return the new token.

    The token is not stored anywhere (only its SHA-256): show it once and forget it."""
    token = session.issue_link_token()
    session.save(update_fields=["token_hash", "link_issued_at", "link_expires_at", "link_revoked_at"])
    return token


def session_revoke_link(*, session: TreatmentSession, now: datetime.datetime | None = None) -> TreatmentSession:
    """Stop the current link (and every patient browser that opened it) from working."""
    now = now or timezone.now()
    TreatmentSession.objects.filter(pk=session.pk, link_revoked_at__isnull=True).update(link_revoked_at=now)
    session.refresh_from_db(fields=["link_revoked_at"])
    return session


def session_reschedule_link(*, session: TreatmentSession) -> None:
    """Keep the link's expiry in step with the session time after a reschedule."""
    if session.token_hash and session.link_revoked_at is None:
        session.link_expires_at = session.scheduled_at + timezone.timedelta(
            days=settings.PATIENT_LINK_VALID_DAYS_AFTER_SESSION
        )
        session.save(update_fields=["link_expires_at"])


@transaction.atomic
def session_reschedule(*, session: TreatmentSession, scheduled_at: datetime.datetime) -> TreatmentSession:
    """Move a session to a new time: its records stay, its link lives on to the new date, and what was planned
    around the old time (reminders) is planned again by the listeners of `session_schedule_changed`."""
    session.scheduled_at = scheduled_at
    session.save(update_fields=["scheduled_at"])
    session_reschedule_link(session=session)
    session_schedule_changed.send(sender=TreatmentSession, session=session, change="rescheduled")
    return session


@transaction.atomic
def session_cancel(
    *, session: TreatmentSession, status: str = SessionStatus.CANCELLED, now: datetime.datetime | None = None
) -> TreatmentSession:
    """Cancel a session (or mark it a no-show): its link stops working and nothing more is sent for it.

    Its reading records are kept. Cancelling a session that is already cancelled changes nothing."""
    if status not in NOT_HELD:
        raise ValueError(f"not a cancelled status: {status!r}")
    if session.status == status:
        return session
    session.status = status
    session.save(update_fields=["status"])
    session_revoke_link(session=session, now=now)
    session_schedule_changed.send(sender=TreatmentSession, session=session, change=str(status))
    return session


# Reading records ------------------------------------------------------------------------------------


def _record_for(item):
    """The item's one reading record, created on first use. A concurrent creator may win the insert:
    then the unique constraint fails here and we read the winner's row."""
    try:
        with transaction.atomic():
            record, _ = ReadingRecord.objects.get_or_create(item=item)
    except IntegrityError:
        record = ReadingRecord.objects.get(item=item)
    return record


def _set_if_empty(record_id, now, *fields):
    """First write wins: set each timestamp field only while it is still empty."""
    for field in fields:
        ReadingRecord.objects.filter(pk=record_id, **{f"{field}__isnull": True}).update(
            **{field: now, "updated_at": now}
        )


def _language_read(shown: PageShown) -> dict:
    """The record's language fields for what was shown (nothing when the value does not say: older pages)."""
    if not shown.language:
        return {}
    return {"language": shown.language, "translation_version": shown.translation_version}


def record_open(
    *, item: SessionItem, shown: PageShown | None = None, now: datetime.datetime | None = None
) -> ReadingRecord:
    """The patient was shown the item's page: first opened time (when it was shown), and the version shown."""
    now = now or timezone.now()
    shown = shown or page_shown_now(item.page, now)
    record = _record_for(item)
    with transaction.atomic():
        _set_if_empty(record.pk, shown.at, "opened_at")
        # Before acknowledging, the record says which version was last shown; after, which one was acknowledged.
        ReadingRecord.objects.filter(pk=record.pk, acknowledged_at__isnull=True).update(
            content_version=shown.version, content_hash=shown.content_hash, **_language_read(shown), updated_at=now
        )
    record.refresh_from_db()
    return record


def record_progress(
    *,
    item: SessionItem,
    client_id: str,
    seconds: int,
    reached_end: bool,
    shown: PageShown | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Add one beacon report. A report whose client id was seen before changes nothing; returns False then.

    The busiest write of the portal, so it is one transaction of two statements: the report's INSERT (its
    unique client id makes a resend fail here and roll back) and ONE UPDATE of the reading record (seconds
    added with F(), opened and end-reached times set only while still empty, the version shown while not yet
    acknowledged). Only when that UPDATE finds no record (the page's first report) is the record created,
    with the report in it; a concurrent creator winning that insert is handled by get_or_create, and the
    report then goes through the UPDATE after all."""
    now = now or timezone.now()
    opened_at = shown.at if shown else now
    updates = {
        "seconds_visible": F("seconds_visible") + seconds,
        "opened_at": Coalesce("opened_at", Value(opened_at, output_field=DateTimeField())),
    }
    defaults = {"seconds_visible": seconds, "opened_at": opened_at, "end_reached_at": now if reached_end else None}
    if reached_end:
        updates["end_reached_at"] = Coalesce("end_reached_at", Value(now, output_field=DateTimeField()))
    if shown:
        # The version shown, until the patient acknowledges (then the record keeps the version acknowledged).
        shown_fields = {"content_version": shown.version, "content_hash": shown.content_hash, **_language_read(shown)}
        for field, value in shown_fields.items():
            output_field = ReadingRecord._meta.get_field(field)
            updates[field] = Case(
                When(acknowledged_at__isnull=True, then=Value(value, output_field=output_field)),
                default=F(field),
                output_field=output_field,
            )
        defaults |= shown_fields
    try:
        with transaction.atomic():
            ProgressReport.objects.create(item=item, client_id=client_id, seconds=seconds, reached_end=reached_end)
            records = ReadingRecord.objects.filter(item_id=item.pk)
            if not records.update(**updates, updated_at=now):
                _, created = ReadingRecord.objects.get_or_create(item_id=item.pk, defaults=defaults)
                if not created:
                    records.update(**updates, updated_at=now)
    except IntegrityError:
        return False
    return True


def record_acknowledge(
    *, item: SessionItem, shown: PageShown | None = None, now: datetime.datetime | None = None
) -> ReadingRecord:
    """ "I have read and understood this", for the version the patient was shown: acknowledged (first time
    kept), end reached, that version and its hash recorded.

    Raises PageChangedSinceShown, recording nothing, when a material change was approved after the version
    shown (or the page was withdrawn): the patient must see the new text first. A change that was not material
    does not stop it; the record then says truthfully which version was read."""
    now = now or timezone.now()
    page = item.page
    shown = shown or page_shown_now(page, now)
    if shown.version < page.material_version or not page.is_available:
        raise PageChangedSinceShown
    record = _record_for(item)
    with transaction.atomic():
        _set_if_empty(record.pk, shown.at, "opened_at")
        _set_if_empty(record.pk, now, "acknowledged_at", "end_reached_at")
        # The acknowledged version only ever rises (a re-read after a material change moves it up).
        ReadingRecord.objects.filter(pk=record.pk).filter(
            Q(acknowledged_version__isnull=True) | Q(acknowledged_version__lt=shown.version)
        ).update(
            acknowledged_version=shown.version,
            content_version=shown.version,
            content_hash=shown.content_hash,
            **_language_read(shown),
            updated_at=now,
        )
        # Teach-back questions still to answer keep the item from counting as done (services.readiness).
        from portal.reading.services.readiness import teach_back_refresh

        teach_back_refresh(item=item)
    record.refresh_from_db()
    return record


# Questions ------------------------------------------------------------------------------------------


def record_ask_question(
    *, item: SessionItem, text: str, shown: PageShown | None = None, now: datetime.datetime | None = None
) -> PatientQuestion:
    """ "I have a question about this": goes to the staff queue; the item does not become done.

    The same open question on the same page is stored once (sent twice, from two tabs, or by a script: the
    one stored is returned). Raises TooManyOpenQuestions once the session has MAX_OPEN_QUESTIONS_PER_SESSION
    open questions. The session's row is locked first, so concurrent questions are counted one after the
    other (PostgreSQL; SQLite's IMMEDIATE transactions write one at a time anyway)."""
    now = now or timezone.now()
    key = question_text_key(text)
    with transaction.atomic():
        list(TreatmentSession.objects.select_for_update().filter(pk=item.session_id).values_list("pk"))
        open_questions = PatientQuestion.objects.filter(answered_at__isnull=True)
        same = open_questions.filter(item=item, text_key=key).first()
        if same is not None:
            return same
        if open_questions.filter(item__session_id=item.session_id).count() >= MAX_OPEN_QUESTIONS_PER_SESSION:
            raise TooManyOpenQuestions
        try:
            with transaction.atomic():
                question = PatientQuestion.objects.create(item=item, text=text, text_key=key)
        except IntegrityError:  # the unique constraint: a concurrent request stored it first
            return open_questions.get(item=item, text_key=key)
        record_open(item=item, shown=shown, now=now)
    return question


def question_mark_answered(*, question: PatientQuestion, by, now: datetime.datetime | None = None) -> bool:
    """Mark a patient's question answered (the first staff member to do so is kept)."""
    now = now or timezone.now()
    updated = PatientQuestion.objects.filter(pk=question.pk, answered_at__isnull=True).update(
        answered_at=now, answered_by=by
    )
    question.refresh_from_db(fields=["answered_at", "answered_by"])
    return bool(updated)

"""Teach-back answers, the treatment-day checklist and "ready" (issue 13).

"Ready" is defined once, in SessionQuerySet.not_ready_q (portal/reading/models/sessions.py): every required page
done (read in its current material version and its teach-back questions answered), every approved checklist
item answered "Yes", and no question left open. Use it through:

- `TreatmentSession.objects.ready()` / `.not_ready()` (querysets, e.g. reminders: who still has something to do),
- `TreatmentSession.objects.with_completion()` (its `ready` annotation, `session.is_ready`),
- `session_is_ready(*, session)` below (one session, one query).

Writes here are keyword-only services; the few reads the patient and staff pages share are at the end.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.reading.models import (
    TEACH_BACK_TRIES,
    ChecklistAnswer,
    ChecklistItem,
    ReadingRecord,
    SessionItem,
    TeachBackAnswer,
    TreatmentSession,
    teach_back_progress,
)
from portal.reading.selectors import page_in_language, patient_language
from portal.reading.services.sessions import record_ask_question


class ChecklistNotOpen(Exception):
    """The checklist opens CHECKLIST_OPENS_DAYS_BEFORE the session (and closes when the session is over)."""


class NotYourChecklistItem(Exception):
    """The checklist item is not (or no longer) on this session's treatment checklist."""


# Teach-back -----------------------------------------------------------------------------------------
#
# The questions are part of the page's content, translated with it: a patient answers the questions of the text
# they are shown (selectors.page_in_language): a current translation's own questions (their anchors are the
# translated page's headings), else (no translation, one behind a material change, or a translation without
# questions) the source's. Answers stay keyed by the question's words (TeachBackAnswer.question_key), so an answer
# in Spanish belongs to the Spanish question: insight counts each language's questions separately.


def teach_back_questions(*, item: SessionItem, language: str | None = None, reading=None) -> list[dict]:
    """The teach-back questions of the item's page as a patient of `language` is shown it (default: the language
    the patient read it in, else their preferred language). `reading`: the page_in_language the caller has."""
    if reading is None:
        reading = page_in_language(page=item.page, language=language or _language_of(item))
    if reading.text is not None:  # an article
        translation = reading.text.translation
        if translation is not None and translation.live_teach_back:
            return list(translation.live_teach_back)
        return item.page.teach_back_questions
    questions = []
    for entry in reading.entries:  # an FAQ topic: each answer's questions, in the language that answer is shown
        own = entry.translation.live_teach_back if entry.translation is not None else []
        for question in own or entry.content.live_teach_back:
            # A question about the entry itself (anchor "": its title) points at the entry on the topic page.
            questions.append(question if question.get("anchor") else {**question, "anchor": entry.content.slug})
    return questions


def _language_of(item: SessionItem, record: ReadingRecord | None = None) -> str:
    """The language the patient last read the item in (its record's, "es" of "es+en"), else their preferred one."""
    record = record or ReadingRecord.objects.filter(item=item).only("language").first()
    if record is not None and record.language:
        return record.language.split("+")[0]
    return patient_language(session=item.session)


def teach_back_refresh(*, item: SessionItem, language: str | None = None) -> ReadingRecord | None:
    """Recompute the item's record flags from the questions the patient is shown (teach_back_questions) and the
    answers so far: pending while the page is acknowledged and a question is unresolved; needed help when a
    question was answered wrong twice. Called after an acknowledgement and after each answer."""
    record = ReadingRecord.objects.filter(item=item).first()
    if record is None:
        return None
    return _refresh(item, record, teach_back_questions(item=item, language=language or _language_of(item, record)))


def _refresh(item, record, questions):
    if not questions and not (record.teach_back_pending or record.teach_back_needed_help):
        return record  # a page without questions (most): no query for answers
    progress = teach_back_progress(questions, list(item.teach_back_answers.all()))
    pending = record.acknowledged_at is not None and not all(entry["resolved"] for entry in progress)
    needed_help = any(entry["needed_help"] for entry in progress)
    if (record.teach_back_pending, record.teach_back_needed_help) != (pending, needed_help):
        ReadingRecord.objects.filter(pk=record.pk).update(
            teach_back_pending=pending, teach_back_needed_help=needed_help, updated_at=timezone.now()
        )
        record.teach_back_pending, record.teach_back_needed_help = pending, needed_help
    return record


def teach_back_answer(
    *,
    item: SessionItem,
    choices: dict[str, int],
    language: str | None = None,
    now: datetime.datetime | None = None,
) -> list[dict]:
    """Record one try for each unresolved question the patient of `language` is shown (teach_back_questions)
    that `choices` answers ({question key: index of the chosen answer}); resolved questions and unknown keys (a
    question no longer shown, e.g. a translation approved since) are ignored. Returns teach_back_progress.
    A try sent twice (two tabs) counts once: the unique (item, question, attempt) keeps the first."""
    now = now or timezone.now()
    page = item.page
    questions = teach_back_questions(item=item, language=language)
    with transaction.atomic():
        answers = list(item.teach_back_answers.select_for_update())
        for entry in teach_back_progress(questions, answers):
            question = entry["question"]
            choice = choices.get(question["key"])
            if entry["resolved"] or choice is None or not 0 <= choice < len(question["choices"]):
                continue
            try:
                with transaction.atomic():
                    TeachBackAnswer.objects.create(
                        item=item,
                        question_key=question["key"],
                        question=question["question"],
                        attempt=len(entry["tries"]) + 1,
                        choice=choice,
                        choice_text=question["choices"][choice],
                        correct=choice == question["answer"],
                        content_version=page.published_version,
                        answered_at=now,
                    )
            except IntegrityError:
                continue
        record = ReadingRecord.objects.filter(item=item).first()
        if record is not None:
            _refresh(item, record, questions)
    return teach_back_progress(questions, list(item.teach_back_answers.all()))


def teach_back_state(*, item: SessionItem, language: str | None = None, reading=None) -> list[dict]:
    """The questions the patient is shown (teach_back_questions) with their tries so far (teach_back_progress);
    no query for answers on a page without questions."""
    questions = teach_back_questions(item=item, language=language, reading=reading)
    return teach_back_progress(questions, list(item.teach_back_answers.all())) if questions else []


# Treatment-day checklist ---------------------------------------------------------------------------


def checklist_is_open(*, session: TreatmentSession, now: datetime.datetime | None = None) -> bool:
    """Patients answer the checklist from CHECKLIST_OPENS_DAYS_BEFORE days before the session until it starts."""
    now = now or timezone.now()
    opens = session.scheduled_at - datetime.timedelta(days=settings.CHECKLIST_OPENS_DAYS_BEFORE)
    return opens <= now < session.scheduled_at + datetime.timedelta(hours=12)


def checklist_opens_at(*, session: TreatmentSession) -> datetime.datetime:
    return session.scheduled_at - datetime.timedelta(days=settings.CHECKLIST_OPENS_DAYS_BEFORE)


def checklist_answer(
    *, session: TreatmentSession, checklist_item: ChecklistItem, ready: bool, now: datetime.datetime | None = None
) -> ChecklistAnswer:
    """The patient's "Yes" (ready=True) or "Not yet, I need help" (ready=False) for one checklist item. "Not yet"
    also puts a question in the staff queue (record_ask_question, on the session's first page: the queue lists
    questions by page); a later "Yes" leaves that question for staff to close."""
    now = now or timezone.now()
    if checklist_item.treatment_id != session.treatment_id or not checklist_item.is_live:
        raise NotYourChecklistItem
    if not checklist_is_open(session=session, now=now):
        raise ChecklistNotOpen
    question = None
    if not ready:
        first_item = session.items.order_by("position").first()
        if first_item is not None:
            text = _("Treatment-day checklist: I need help with “%(item)s”.") % {"item": checklist_item.approved_text}
            question = record_ask_question(item=first_item, text=text, now=now)
    with transaction.atomic():
        answer, _created = ChecklistAnswer.objects.update_or_create(
            session=session,
            checklist_item=checklist_item,
            defaults={"ready": ready, "text": checklist_item.approved_text, "answered_at": now},
        )
        if question is not None and answer.question_id != question.pk:
            answer.question = question
            answer.save(update_fields=["question"])
    return answer


def checklist_item_approve(*, checklist_item: ChecklistItem, by, now: datetime.datetime | None = None) -> bool:
    """A clinical reviewer approves the item's text: patients see it from now on. Four eyes: whoever last changed
    it cannot approve it. Returns False (approving nothing) when the approver may not, or nothing changed."""
    from portal.permissions import can_approve_content

    if not can_approve_content(by) or checklist_item.last_edited_by_id == by.pk:
        return False
    if not checklist_item.has_unapproved_changes:
        return False
    ChecklistItem.objects.filter(pk=checklist_item.pk).update(
        approved_text=checklist_item.text,
        approved_short_label=checklist_item.short_label,
        approved_by=by,
        approved_at=now or timezone.now(),
    )
    checklist_item.refresh_from_db()
    return True


# Reads shared by the patient and staff pages ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ChecklistLine:
    item: ChecklistItem
    answer: ChecklistAnswer | None

    @property
    def ready(self):
        return self.answer is not None and self.answer.ready


def session_checklist(*, session: TreatmentSession) -> list[ChecklistLine]:
    """The approved checklist of the session's treatment with the patient's answers: two queries."""
    answers = {answer.checklist_item_id: answer for answer in session.checklist_answers.all()}
    items = ChecklistItem.objects.live().filter(treatment_id=session.treatment_id)
    return [ChecklistLine(item, answers.get(item.pk)) for item in items]


def checklist_summaries(*, sessions: list[TreatmentSession]) -> dict[int, str]:
    """For the dashboard: "checklist 3 of 4 — no ride home yet" per session id (two queries for the whole page)."""
    treatment_ids = {session.treatment_id for session in sessions}
    items = list(ChecklistItem.objects.live().filter(treatment_id__in=treatment_ids))
    ready = set(
        ChecklistAnswer.objects.filter(session__in=[s.pk for s in sessions], ready=True).values_list(
            "session_id", "checklist_item_id"
        )
    )
    summaries = {}
    for session in sessions:
        own = [item for item in items if item.treatment_id == session.treatment_id]
        if not own:
            continue
        missing = [item.approved_short_label for item in own if (session.pk, item.pk) not in ready]
        text = _("checklist %(done)d of %(total)d") % {"done": len(own) - len(missing), "total": len(own)}
        if missing:
            text += " — " + _("no %(items)s yet") % {"items": ", ".join(missing)}
        summaries[session.pk] = text
    return summaries


def session_is_ready(*, session: TreatmentSession) -> bool:
    """Is this patient ready for this session (not_ready_q)? One query. For reminders: send while this is False."""
    return TreatmentSession.objects.filter(pk=session.pk).ready().exists()


def needed_help_questions(*, items: list[SessionItem]) -> dict[int, list[str]]:
    """Per item id, the teach-back questions answered wrong on every try ("needed help with: …")."""
    wrong = {}
    for answer in TeachBackAnswer.objects.filter(item__in=items).order_by("attempt"):
        wrong.setdefault((answer.item_id, answer.question_key), []).append(answer)
    result = {}
    for (item_id, _key), tries in wrong.items():
        if len(tries) >= TEACH_BACK_TRIES and not any(answer.correct for answer in tries):
            result.setdefault(item_id, []).append(tries[0].question)
    return result

"""portal.reading.services.sessions: creating sessions, their links, and the patient's reading records."""

import base64
import datetime
import hashlib

import pytest
from django.conf import settings
from django.utils import timezone

from portal.content.services import content_archive, content_publish
from portal.content.tests.factories import make_article, make_user
from portal.reading.models import (
    ItemState,
    ProgressReport,
    ReadingFrequency,
    ReadingRecord,
    SessionItem,
    SessionStatus,
    TreatmentSession,
    hash_token,
)
from portal.reading.services.sessions import (
    question_mark_answered,
    record_acknowledge,
    record_ask_question,
    record_open,
    record_progress,
    session_cancel,
    session_create,
    session_issue_link,
    session_reschedule,
    session_revoke_link,
)
from portal.reading.signals import session_schedule_changed
from portal.reading.tests.factories import (
    in_days,
    make_patient,
    make_reading_article,
    make_reading_topic,
    make_session,
    make_treatment,
)

pytestmark = pytest.mark.django_db


def items_with_state(session):
    return list(SessionItem.objects.with_state().filter(session=session).order_by("position"))


def completion(session):
    return TreatmentSession.objects.with_completion().get(pk=session.pk)


# Creating sessions ----------------------------------------------------------------------------------


def test_session_copies_the_reading_list_in_order_with_required_flags_and_material_versions():
    first, second = make_reading_article(), make_reading_article()
    topic = make_reading_topic()
    treatment = make_treatment((second, True, "every"), (topic, False, "every"), (first, True, "every"))

    session, _ = make_session(treatment=treatment)

    items = items_with_state(session)
    assert [item.page for item in items] == [second, topic, first]
    assert [item.required for item in items] == [True, False, True]
    assert [item.position for item in items] == [1, 2, 3]
    assert [item.current_material_version for item in items] == [0, 0, 0]


def test_first_session_only_pages_are_copied_only_onto_the_first_session_of_that_treatment():
    intro, every = make_reading_article(), make_reading_article()
    treatment = make_treatment((intro, True, ReadingFrequency.FIRST_SESSION), (every, True, "every"))
    patient = make_patient()

    first, _ = make_session(treatment=treatment, patient=patient, scheduled_at=in_days(1))
    second, _ = make_session(treatment=treatment, patient=patient, scheduled_at=in_days(8))
    other_patient, _ = make_session(treatment=treatment, scheduled_at=in_days(8))

    assert [item.page for item in items_with_state(first)] == [intro, every]
    assert [item.page for item in items_with_state(second)] == [every]
    assert [item.page for item in items_with_state(other_patient)] == [intro, every]


def test_a_cancelled_earlier_session_does_not_make_the_next_one_a_repeat():
    intro = make_reading_article()
    treatment = make_treatment((intro, True, ReadingFrequency.FIRST_SESSION))
    patient = make_patient()
    cancelled = session_create(
        patient=patient, treatment=treatment, scheduled_at=in_days(1), status=SessionStatus.CANCELLED
    )

    session, _ = make_session(treatment=treatment, patient=patient, scheduled_at=in_days(3))

    assert cancelled.items.count() == 1
    assert [item.page for item in items_with_state(session)] == [intro]


def test_pages_patients_cannot_see_are_not_copied():
    live, draft, archived = make_reading_article(), make_article(), make_reading_article()
    content_archive(content=archived, by=make_user(superuser=True))
    treatment = make_treatment(live, draft, archived)

    session, _ = make_session(treatment=treatment)

    assert [item.page for item in items_with_state(session)] == [live]


def test_later_edits_of_the_treatment_reading_list_do_not_change_existing_sessions():
    article = make_reading_article()
    treatment = make_treatment(article)
    session, _ = make_session(treatment=treatment)

    treatment.reading_list.all().delete()
    make_treatment(make_reading_article())  # unrelated

    assert [item.page for item in items_with_state(session)] == [article]


# Links ----------------------------------------------------------------------------------------------


def test_a_link_token_has_256_random_bits_and_only_its_sha256_is_stored():
    session, token = make_session()

    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    session.refresh_from_db()
    assert session.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in TreatmentSession.objects.filter(pk=session.pk).values().get().values()]
    assert token not in stored


def test_a_link_expires_the_configured_days_after_the_session(settings):
    settings.PATIENT_LINK_VALID_DAYS_AFTER_SESSION = 3
    session, token = make_session(scheduled_at=in_days(2))

    assert session.link_expires_at == in_days(2) + datetime.timedelta(days=3)
    assert session.link_matches(token)
    session.link_expires_at = timezone.now() - datetime.timedelta(seconds=1)
    assert not session.link_matches(token)


def test_issuing_a_new_link_stops_the_old_one():
    session, old = make_session()

    new = session_issue_link(session=session)

    assert new != old
    assert not TreatmentSession.objects.with_valid_link().filter(token_hash=hash_token(old)).exists()
    assert TreatmentSession.objects.with_valid_link().filter(token_hash=hash_token(new)).get() == session


def test_revoking_stops_the_link_and_a_new_link_works_again():
    session, token = make_session()

    session_revoke_link(session=session)
    assert not TreatmentSession.objects.with_valid_link().filter(token_hash=hash_token(token)).exists()
    assert session.link_revoked_at is not None

    new = session_issue_link(session=session)
    assert TreatmentSession.objects.with_valid_link().filter(token_hash=hash_token(new)).exists()


# Reading records ------------------------------------------------------------------------------------


@pytest.fixture
def item():
    session, _ = make_session(treatment=make_treatment(make_reading_article(word_count=1000)))
    return session.items.select_related("article").get()


def test_opening_creates_one_record_and_keeps_the_first_opened_time(item):
    first = timezone.now() - datetime.timedelta(minutes=5)

    record_open(item=item, now=first)
    record = record_open(item=item)

    assert ReadingRecord.objects.filter(item=item).count() == 1
    assert record.opened_at == first
    assert record.content_version == item.article.published_version == 1
    assert record.content_hash == item.article.content_hash


def test_a_progress_report_is_counted_once_however_often_it_is_resent(item):
    assert record_progress(item=item, client_id="a" * 36, seconds=15, reached_end=False) is True
    assert record_progress(item=item, client_id="a" * 36, seconds=15, reached_end=False) is False
    assert record_progress(item=item, client_id="b" * 36, seconds=7, reached_end=True) is True

    record = ReadingRecord.objects.get(item=item)
    assert record.seconds_visible == 22
    assert record.end_reached_at is not None
    assert ProgressReport.objects.filter(item=item).count() == 2


def test_reaching_the_end_keeps_the_first_time(item):
    first = timezone.now() - datetime.timedelta(minutes=1)
    record_progress(item=item, client_id="c" * 36, seconds=0, reached_end=True, now=first)
    record_progress(item=item, client_id="d" * 36, seconds=0, reached_end=True)

    assert ReadingRecord.objects.get(item=item).end_reached_at == first


def test_a_report_before_any_recorded_opening_creates_the_one_record_with_its_seconds_and_times(item):
    sent = timezone.now() - datetime.timedelta(minutes=2)

    assert record_progress(item=item, client_id="e" * 36, seconds=12, reached_end=True, now=sent) is True

    record = ReadingRecord.objects.get(item=item)
    assert record.seconds_visible == 12
    assert record.opened_at == record.end_reached_at == sent


def test_a_report_keeps_the_first_opened_time_and_leaves_the_end_alone_until_it_is_reached(item):
    opened = timezone.now() - datetime.timedelta(minutes=10)
    record_open(item=item, now=opened)

    record_progress(item=item, client_id="f" * 36, seconds=30, reached_end=False)

    record = ReadingRecord.objects.get(item=item)
    assert record.opened_at == opened
    assert record.end_reached_at is None
    assert record.seconds_visible == 30


def test_a_resent_report_changes_nothing_at_all(item):
    record_progress(item=item, client_id="g" * 36, seconds=10, reached_end=False)
    before = ReadingRecord.objects.get(item=item)

    assert record_progress(item=item, client_id="g" * 36, seconds=10, reached_end=True) is False

    after = ReadingRecord.objects.get(item=item)
    assert (after.seconds_visible, after.end_reached_at, after.updated_at) == (10, None, before.updated_at)


def test_acknowledging_marks_the_item_done_with_the_end_reached_and_the_version_read(item):
    record = record_acknowledge(item=item)

    assert record.acknowledged_at is not None
    assert record.end_reached_at == record.acknowledged_at
    assert record.acknowledged_version == 1
    assert record.content_hash == item.article.content_hash
    [state] = items_with_state(item.session)
    assert state.is_done and state.state == ItemState.DONE
    assert completion(item.session).items_done == 1


def test_acknowledging_twice_keeps_the_first_time(item):
    first = timezone.now() - datetime.timedelta(hours=1)
    record_acknowledge(item=item, now=first)
    record = record_acknowledge(item=item)

    assert record.acknowledged_at == first


def test_a_question_without_acknowledging_leaves_the_item_not_done(item):
    record_open(item=item)
    question = record_ask_question(item=item, text="Can I drive home?")

    [state] = items_with_state(item.session)
    assert state.state == ItemState.IN_PROGRESS
    assert not state.is_done
    session = completion(item.session)
    assert (session.items_done, session.items_total, session.open_questions) == (0, 1, 1)
    assert question.answered_at is None


def test_a_material_change_after_acknowledging_means_an_earlier_version_was_read(item):
    record_acknowledge(item=item)
    article = item.article
    article.body += "\n\nNew safety information."
    article.save()
    content_publish(content=article, by=None, material_change=True)

    [state] = items_with_state(item.session)
    assert state.current_material_version == 2
    assert not state.is_done and state.read_earlier_version
    assert completion(item.session).items_done == 0

    record_acknowledge(item=SessionItem.objects.select_related("article").get(pk=item.pk))
    [state] = items_with_state(item.session)
    assert state.is_done and not state.read_earlier_version
    assert state.record.acknowledged_version == 2


def test_a_change_that_is_not_material_keeps_the_item_done(item):
    record_acknowledge(item=item)
    article = item.article
    article.body += "\n\nA typo fixed."
    article.save()
    content_publish(content=article, by=None, material_change=False)

    [state] = items_with_state(item.session)
    assert state.is_done


def test_without_javascript_the_reading_time_is_from_opening_to_acknowledging(item, settings):
    # 1000 words at 200 per minute: 300 s estimated; under 40% of it (120 s) counts as read quickly.
    opened = timezone.now() - datetime.timedelta(seconds=100)
    record_open(item=item, now=opened)
    record_acknowledge(item=item, now=opened + datetime.timedelta(seconds=100))

    [state] = items_with_state(item.session)
    assert state.estimated_seconds == pytest.approx(300, abs=3)
    assert state.record.reading_seconds == 100
    assert not state.record.measured_by_script
    assert state.read_quickly


def test_reading_time_measured_by_the_script_wins_and_decides_read_quickly(item):
    opened = timezone.now() - datetime.timedelta(seconds=30)
    record_open(item=item, now=opened)
    for number in range(10):
        record_progress(item=item, client_id=f"{number:036d}", seconds=15, reached_end=False)
    record_acknowledge(item=item, now=opened + datetime.timedelta(seconds=30))

    [state] = items_with_state(item.session)
    assert state.record.reading_seconds == 150
    assert state.record.measured_by_script
    assert not state.read_quickly


def test_read_quickly_follows_the_settings(item, settings):
    settings.READ_QUICKLY_FRACTION = 0.1
    opened = timezone.now() - datetime.timedelta(seconds=100)
    record_open(item=item, now=opened)
    record_acknowledge(item=item, now=opened + datetime.timedelta(seconds=100))

    [state] = items_with_state(item.session)
    assert not state.read_quickly


def test_faq_topic_items_record_the_topic_version_and_estimate_from_live_entries():
    topic = make_reading_topic(entries=3)
    session, _ = make_session(treatment=make_treatment(topic))
    item = session.items.select_related("faq_topic").get()

    record = record_acknowledge(item=item)

    assert record.acknowledged_version == topic.published_version == 3
    assert record.content_hash == topic.content_hash
    [state] = items_with_state(session)
    assert state.estimated_words == sum(entry.live_word_count for entry in topic.live_entries())
    assert state.is_done


def test_with_completion_counts_required_items_done_and_open_questions():
    required_a, required_b, optional = make_reading_article(), make_reading_article(), make_reading_article()
    treatment = make_treatment(required_a, required_b, (optional, False, "every"))
    session, _ = make_session(treatment=treatment)
    items = {item.page: item for item in session.items.select_related("article")}

    record_acknowledge(item=items[required_a])
    record_acknowledge(item=items[optional])
    answered = record_ask_question(item=items[required_b], text="One")
    still_open = record_ask_question(item=items[required_b], text="Two")
    question_mark_answered(question=answered, by=None)

    annotated = completion(session)
    assert (annotated.items_done, annotated.items_total, annotated.open_questions) == (1, 2, 1)
    assert not annotated.is_ready
    record_acknowledge(item=items[required_b])
    # Everything read, but an open question still means "not ready" (issue 13: one definition of ready).
    assert not completion(session).is_ready
    question_mark_answered(question=still_open, by=None)
    assert completion(session).is_ready


def test_completion_totals_agree_with_each_sessions_readiness_and_questions():
    treatment = make_treatment(make_reading_article(), make_reading_topic(), (make_reading_article(), False, "every"))
    sessions = [make_session(treatment=treatment, scheduled_at=in_days(1, hour=8 + number))[0] for number in range(5)]
    required_only, all_read, one_missing, changed_after, untouched = sessions
    for item in items_with_state(changed_after)[:2]:
        record_acknowledge(item=item)
    article = items_with_state(changed_after)[0].article
    article.body += "\n\nA new paragraph about dosing."
    content_publish(content=article, by=make_user(), material_change=True)  # the others read it after this
    for item in items_with_state(required_only)[:2]:
        record_acknowledge(item=item)
    for item in items_with_state(all_read):
        record_acknowledge(item=item)
    record_acknowledge(item=items_with_state(one_missing)[0])
    record_ask_question(item=items_with_state(one_missing)[1], text="Open")
    answered = record_ask_question(item=items_with_state(untouched)[1], text="Answered")
    question_mark_answered(question=answered, by=make_user())
    record_ask_question(item=items_with_state(all_read)[2], text="Open, on an optional page")

    totals = TreatmentSession.objects.filter(pk__in=[session.pk for session in sessions]).completion_totals()

    annotated = TreatmentSession.objects.with_completion().filter(pk__in=[session.pk for session in sessions])
    # all_read has an open question (on an optional page): not ready (issue 13: no open question).
    assert {session.pk for session in annotated if session.is_ready} == {required_only.pk}
    assert totals == {"total": 5, "ready": 1, "with_open_questions": 2}


def test_marking_a_question_answered_keeps_the_first_answer():
    session, _ = make_session()
    question = record_ask_question(item=session.items.get(), text="Is it safe?")
    first, second = make_user(staff=True), make_user(staff=True)

    assert question_mark_answered(question=question, by=first) is True
    assert question_mark_answered(question=question, by=second) is False

    question.refresh_from_db()
    assert question.answered_by == first


# Cancelling and moving a session (the one path the front desk, HL7 and FHIR imports share) -------------


def _listen(signal):
    heard = []

    def receiver(sender, session, change, **kwargs):
        heard.append((session.pk, change))

    signal.connect(receiver, weak=False)
    return heard, receiver


@pytest.mark.django_db
def test_cancelling_a_session_stops_its_link_keeps_its_records_and_tells_listeners_once():
    session, token = make_session()
    item_count = session.items.count()
    heard, receiver = _listen(session_schedule_changed)
    try:
        session_cancel(session=session)
        session_cancel(session=session)  # a replayed cancel changes nothing more
    finally:
        session_schedule_changed.disconnect(receiver)
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert not session.link_matches(token)
    assert session.items.count() == item_count
    assert heard == [(session.pk, "cancelled")]


@pytest.mark.django_db
def test_rescheduling_a_session_moves_its_link_expiry_with_it():
    session, token = make_session()
    later = session.scheduled_at + timezone.timedelta(days=10)
    heard, receiver = _listen(session_schedule_changed)
    try:
        session_reschedule(session=session, scheduled_at=later)
    finally:
        session_schedule_changed.disconnect(receiver)
    session.refresh_from_db()
    assert session.scheduled_at == later
    assert session.link_expires_at == later + timezone.timedelta(days=settings.PATIENT_LINK_VALID_DAYS_AFTER_SESSION)
    assert session.link_matches(token)
    assert heard == [(session.pk, "rescheduled")]

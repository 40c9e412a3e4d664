"""Teach-back after "I have read and understood this", the treatment-day checklist, and the one "ready"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from portal.reading.models import ChecklistItem, PatientQuestion, TeachBackAnswer, TreatmentSession
from portal.reading.services.readiness import (
    checklist_answer,
    checklist_item_approve,
    checklist_summaries,
    needed_help_questions,
    session_is_ready,
)
from portal.reading.services.sessions import (
    MAX_OPEN_QUESTIONS_PER_SESSION,
    question_mark_answered,
    record_ask_question,
)
from portal.reading.tests.factories import (
    in_days,
    make_reading_article,
    make_session,
    make_staff,
    make_treatment,
    open_link,
    page_form,
)

pytestmark = pytest.mark.django_db

BODY = (
    "## Getting home\n\nDo not drive until the next day, after restful sleep.\n\n## Food\n\nStop eating 2 hours ahead."
)
QUESTIONS = """? When may you drive after a session?
- As soon as you leave
+ The next day, after a restful sleep
= The medicine can make you sleepy until the next day.
# Getting home

? When do you stop eating?
+ 2 hours before
- 10 minutes before
= Food close to the dose can make you feel sick.
# Food
"""


@pytest.fixture
def quiz():
    article = make_reading_article(title="Treatment day", body=BODY, teach_back=QUESTIONS)
    session, token = make_session(treatment=make_treatment(article))
    client = Client()
    open_link(client, token)
    item = session.items.get()
    drive, food = article.live_teach_back
    return session, client, item, drive, food


def acknowledge(client, item):
    return client.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), page_form(client, item))


def answer(client, item, **choices):
    data = {f"answer-{key}": value for key, value in choices.items()}
    return client.post(reverse("patient:teach_back", kwargs={"pk": item.pk}), data)


def is_done(item):
    return TreatmentSession.objects.with_completion().get(pk=item.session_id).items_done == 1


def test_after_acknowledging_the_page_asks_its_questions_and_is_not_done_yet(quiz):
    session, client, item, drive, food = quiz
    assert acknowledge(client, item).status_code == 302
    html = client.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    assert drive["question"] in html and food["question"] in html
    assert "I have read and understood this</button>" not in html
    assert not is_done(item)
    overview = client.get(reverse("patient:session")).content.decode()
    assert "please answer the questions at the end of the page" in overview


def test_a_wrong_answer_shows_the_explanation_and_a_link_to_its_section_then_a_right_one_makes_it_done(quiz):
    session, client, item, drive, food = quiz
    acknowledge(client, item)
    response = answer(client, item, **{drive["key"]: 0, food["key"]: 0})
    assert response.status_code == 302 and response["Location"].endswith("#teach-back")
    html = client.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    assert "Not quite: you chose “As soon as you leave”." in html
    assert drive["explanation"] in html
    assert 'href="#getting-home"' in html and 'id="getting-home"' in html
    assert not is_done(item)
    response = answer(client, item, **{drive["key"]: 1})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
    assert is_done(item)
    assert [(a.attempt, a.correct) for a in TeachBackAnswer.objects.filter(question_key=drive["key"])] == [
        (1, False),
        (2, True),
    ]
    item.record.refresh_from_db()
    assert not item.record.teach_back_needed_help


def test_two_wrong_tries_make_the_item_done_but_flagged_for_staff(quiz):
    session, client, item, drive, food = quiz
    acknowledge(client, item)
    answer(client, item, **{drive["key"]: 0, food["key"]: 0})
    answer(client, item, **{drive["key"]: 0})
    assert is_done(item)
    item.record.refresh_from_db()
    assert item.record.teach_back_needed_help
    assert needed_help_questions(items=[item]) == {item.pk: [drive["question"]]}
    html = client.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    assert "You told us you have read and understood this page" in html
    staff = Client()
    staff.force_login(make_staff())
    page = staff.get(reverse("staff:session", kwargs={"pk": session.pk})).content.decode()
    assert "needed help with" in page and drive["question"] in page


def test_bad_or_missing_answers_are_a_400_with_a_message_and_count_nothing(quiz):
    session, client, item, drive, food = quiz
    acknowledge(client, item)
    for data in ({}, {f"answer-{drive['key']}": "x"}, {f"answer-{drive['key']}": "9"}):
        response = client.post(reverse("patient:teach_back", kwargs={"pk": item.pk}), data)
        if response.status_code == 302:  # an out-of-range choice is ignored
            continue
        assert response.status_code == 400
        assert "Please choose an answer for each question." in response.content.decode()
    # A question the page does not ask (any more: e.g. a translation approved since it was shown): the current
    # questions are shown again.
    response = client.post(reverse("patient:teach_back", kwargs={"pk": item.pk}), {"answer-unknown": "1"})
    html = response.content.decode()
    assert response.status_code == 409 and "The questions have changed since you opened the page." in html
    assert drive["question"] in html and food["question"] in html
    assert not TeachBackAnswer.objects.exists()


def test_answers_before_acknowledging_are_not_taken(quiz):
    session, client, item, drive, food = quiz
    response = answer(client, item, **{drive["key"]: 1, food["key"]: 0})
    assert response.status_code == 302 and not TeachBackAnswer.objects.exists()


# Checklist ------------------------------------------------------------------------------------------


def make_checklist(treatment):
    editor, reviewer = make_staff("Editor"), make_staff("Clinical reviewer")
    items = []
    for position, (label, text) in enumerate((("ride home", "I have a ride home."), ("food", "I will not eat."))):
        item = ChecklistItem.objects.create(
            treatment=treatment, position=position, text=text, short_label=label, last_edited_by=editor
        )
        assert not checklist_item_approve(checklist_item=item, by=editor)  # four eyes
        assert checklist_item_approve(checklist_item=item, by=reviewer)
        items.append(item)
    return items


def test_the_checklist_needs_approval_before_patients_see_it():
    treatment = make_treatment(make_reading_article())
    item = ChecklistItem.objects.create(treatment=treatment, text="I have a ride home.", short_label="ride home")
    session, token = make_session(treatment=treatment)
    client = Client()
    open_link(client, token)
    assert "I have a ride home." not in client.get(reverse("patient:session")).content.decode()
    assert checklist_item_approve(checklist_item=item, by=make_staff("Clinical reviewer"))
    assert "I have a ride home." in client.get(reverse("patient:session")).content.decode()


def test_not_yet_reaches_the_staff_queue_and_ready_needs_every_item_yes_and_no_open_question():
    treatment = make_treatment(make_reading_article())
    ride, food = make_checklist(treatment)
    session, token = make_session(treatment=treatment, scheduled_at=in_days(2))
    client = Client()
    open_link(client, token)
    acknowledge(client, session.items.get())
    assert not session_is_ready(session=session)

    response = client.post(reverse("patient:checklist_answer", kwargs={"pk": ride.pk}), {"ready": "no"})
    assert response.status_code == 302
    client.post(reverse("patient:checklist_answer", kwargs={"pk": food.pk}), {"ready": "yes"})
    staff = Client()
    staff.force_login(make_staff())
    queue = staff.get(reverse("staff:questions")).content.decode()
    assert "Treatment-day checklist: I need help with “I have a ride home.”" in queue
    dashboard = staff.get(reverse("staff:dashboard")).content.decode()
    assert "checklist 1 of 2 — no ride home yet" in dashboard
    assert checklist_summaries(sessions=[session]) == {session.pk: "checklist 1 of 2 — no ride home yet"}

    client.post(reverse("patient:checklist_answer", kwargs={"pk": ride.pk}), {"ready": "yes"})
    assert not session_is_ready(session=session)  # the question is still open
    question_mark_answered(question=PatientQuestion.objects.get(), by=None)
    assert session_is_ready(session=session)
    assert TreatmentSession.objects.ready().filter(pk=session.pk).exists()
    assert not TreatmentSession.objects.not_ready().filter(pk=session.pk).exists()
    assert TreatmentSession.objects.filter(pk=session.pk).completion_totals()["ready"] == 1


def test_the_checklist_opens_three_days_before_and_refuses_other_answers():
    treatment = make_treatment(make_reading_article())
    ride, _food = make_checklist(treatment)
    session, token = make_session(treatment=treatment, scheduled_at=in_days(5))
    client = Client()
    open_link(client, token)
    html = client.get(reverse("patient:session")).content.decode()
    assert re.search(r"opens on \w+, \w+ \d+, three days before", html)
    response = client.post(reverse("patient:checklist_answer", kwargs={"pk": ride.pk}), {"ready": "yes"}, follow=True)
    assert "The checklist is not open for this session." in response.content.decode()
    other = make_checklist(make_treatment(make_reading_article()))[0]
    assert (
        client.post(reverse("patient:checklist_answer", kwargs={"pk": other.pk}), {"ready": "yes"}).status_code == 404
    )
    with pytest.raises(Exception):  # noqa: B017, PT011 - ChecklistNotOpen
        checklist_answer(session=session, checklist_item=ride, ready=True)


def test_editors_write_checklist_items_in_the_admin_and_a_reviewer_approves_them_with_the_action():
    treatment = make_treatment(make_reading_article())
    editor, reviewer = Client(), Client()
    editor_user = make_staff("Editor")
    editor.force_login(editor_user)
    reviewer.force_login(make_staff("Clinical reviewer"))
    add = reverse("admin:reading_checklistitem_add")
    assert editor.get(add).status_code == 200
    data = {"treatment": treatment.pk, "position": 1, "text": "I have a ride home.", "short_label": "ride home"}
    assert editor.post(add, data).status_code == 302
    item = ChecklistItem.objects.get()
    assert item.last_edited_by == editor_user and not item.is_live
    changelist = reverse("admin:reading_checklistitem_changelist")
    action = {"action": "approve_items", "_selected_action": [item.pk]}
    editor.post(changelist, action)
    item.refresh_from_db()
    assert not item.is_live  # an editor cannot approve
    reviewer.post(changelist, action)
    item.refresh_from_db()
    assert item.approved_text == "I have a ride home." and item.is_live
    assert Client().get(changelist).status_code == 302


def test_not_yet_when_the_session_has_too_many_open_questions_is_a_message_not_a_500():
    treatment = make_treatment(make_reading_article())
    ride, _food = make_checklist(treatment)
    session, token = make_session(treatment=treatment, scheduled_at=in_days(1))
    for number in range(MAX_OPEN_QUESTIONS_PER_SESSION):
        record_ask_question(item=session.items.get(), text=f"Question {number}")
    client = Client()
    open_link(client, token)
    url = reverse("patient:checklist_answer", kwargs={"pk": ride.pk})
    response = client.post(url, {"ready": "no"}, follow=True)
    assert response.status_code == 200
    assert "questions that the clinic team has not answered yet" in response.content.decode()
    assert client.post(url, {"ready": "maybe"}).status_code == 302  # a message, nothing stored
    assert not session.checklist_answers.exists()

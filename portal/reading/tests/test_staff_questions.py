"""The staff queue of patient questions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.services.sessions import (
    record_ask_question,
)
from portal.reading.tests.factories import (
    items_of,
    make_session,
)

pytestmark = pytest.mark.django_db


def test_the_questions_queue_lists_open_questions_and_staff_mark_them_answered(staff, treatment):
    session, _ = make_session(treatment=treatment)
    items = items_of(session)
    first = record_ask_question(item=items[0], text="Will I feel strange?")
    answered = record_ask_question(item=items[1], text="Already answered?")
    answered.answered_at = timezone.now()
    answered.save()

    html = staff.get(reverse("staff:questions")).content.decode()
    assert "Will I feel strange?" in html and "Already answered?" not in html
    assert AuditEvent.objects.filter(action="questions.view", row_count=1).exists()

    response = staff.post(
        reverse("staff:question_answered", kwargs={"pk": first.pk}), {"next": reverse("staff:questions")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("staff:questions")
    first.refresh_from_db()
    assert first.answered_at is not None and first.answered_by.is_staff
    assert "Will I feel strange?" not in staff.get(reverse("staff:questions")).content.decode()
    assert AuditEvent.objects.filter(action="question.answered").count() == 1


def test_marking_answered_never_redirects_off_site(staff, treatment):
    session, _ = make_session(treatment=treatment)
    question = record_ask_question(item=items_of(session)[0], text="?")

    response = staff.post(
        reverse("staff:question_answered", kwargs={"pk": question.pk}), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("staff:questions")


def test_the_queue_shows_50_questions_a_page_oldest_first_with_page_links_and_each_page_is_audited(staff, treatment):
    sessions = [make_session(treatment=treatment)[0] for _ in range(3)]
    asked = [
        record_ask_question(item=items_of(sessions[number % 3])[number % 3], text=f"Question {number:02d}")
        for number in range(51)
    ]

    first = staff.get(reverse("staff:questions"))
    second = staff.get(reverse("staff:questions"), {"page": "2"})
    past_the_end = staff.get(reverse("staff:questions"), {"page": "9"})

    assert [question.pk for question in first.context["questions"]] == [question.pk for question in asked[:50]]
    assert [question.pk for question in second.context["questions"]] == [asked[50].pk]
    assert past_the_end.status_code == 200 and past_the_end.context["page"].number == 2
    html = first.content.decode()
    assert "51 open questions, oldest first; showing 1 to 50 (page 1 of 2)" in html
    assert '<nav class="pagination" aria-label="Pages of questions">' in html and 'href="?page=2" rel="next"' in html
    assert "Question 50" not in html and "Question 50" in second.content.decode()
    events = AuditEvent.objects.filter(action="questions.view").order_by("pk")
    assert [(event.subject, event.row_count) for event in events] == [("page=1", 50), ("page=2", 1), ("page=2", 1)]

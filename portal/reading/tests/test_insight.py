"""Staff insight: second tries and chosen answers per question (SVG + table), sessions ready on time per week."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.reading.insight import question_stats, weekly_ready_on_time
from portal.reading.services.readiness import teach_back_answer
from portal.reading.services.sessions import record_acknowledge
from portal.reading.tests.factories import make_reading_article, make_session, make_staff, make_treatment

pytestmark = pytest.mark.django_db

BODY = "## Getting home\n\nDo not drive until the next day.\n\n## More\n\nText."
QUESTION = "? When may you drive?\n- Tonight\n+ The next day, after sleep\n- In an hour\n= You may be sleepy.\n# More"


@pytest.fixture
def answers():
    article = make_reading_article(title="Treatment day", body=BODY, teach_back=QUESTION)
    treatment = make_treatment(article)
    [question] = article.live_teach_back
    tries = ([1], [0, 1], [0, 2], [2, 0])  # right first; wrong then right; wrong twice; wrong twice
    for hour, choices in enumerate(tries, start=8):
        session, _ = make_session(treatment=treatment, scheduled_at=timezone.now() + datetime.timedelta(hours=hour))
        item = session.items.get()
        record_acknowledge(item=item)
        for choice in choices:
            teach_back_answer(item=item, choices={question["key"]: choice})
    return article, question


def test_question_stats_count_second_tries_help_and_first_choices(answers):
    article, question = answers
    [stats] = question_stats(questions=article.live_teach_back)
    assert (stats.patients, stats.second_try, stats.needed_help) == (4, 3, 2)
    assert [(choice.text, choice.right, choice.first_try) for choice in stats.choices] == [
        ("Tonight", False, 2),
        ("The next day, after sleep", True, 1),
        ("In an hour", False, 1),
    ]
    assert stats.choices[0].bar == 320 and stats.choices[1].bar == 160


def test_editors_see_their_pages_statistics_as_labelled_svg_and_a_table(answers):
    article, _question = answers
    editor = Client()
    editor.force_login(make_staff("Editor"))
    url = reverse("staff:insight_questions", args=["articles", "article", article.pk])
    html = editor.get(url).content.decode()
    assert "<svg" in html and "Tonight" in html and "(right)" in html and "<table" in html
    assert "needed a second try" in html and "3 needed a second try" in html
    change = editor.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert url in change
    assert editor.get(reverse("staff:insight_questions", args=["auth", "user", 1])).status_code == 404
    assert editor.get(reverse("staff:insight_questions", args=["nope", "nope", 1])).status_code == 404
    assert editor.get(reverse("staff:insight")).status_code == 403  # the weekly view is for clinic staff
    assert Client().get(url).status_code == 302


def test_clinic_staff_see_the_weekly_share_of_sessions_ready_on_time(answers):
    article, _question = answers
    past = make_treatment(make_reading_article())
    now = timezone.now()
    on_time, _ = make_session(treatment=past, scheduled_at=now - datetime.timedelta(days=1))
    late, _ = make_session(treatment=past, scheduled_at=now - datetime.timedelta(days=1, hours=1))
    never, _ = make_session(treatment=past, scheduled_at=now - datetime.timedelta(days=1, hours=2))
    record_acknowledge(item=on_time.items.get(), now=now - datetime.timedelta(days=2))
    record_acknowledge(item=late.items.get(), now=now)
    weeks = weekly_ready_on_time(weeks=2, now=now)
    assert sum(week.sessions for week in weeks) == 3 and sum(week.on_time for week in weeks) == 1
    assert never.pk  # not ready at all
    staff = Client()
    staff.force_login(make_staff())
    response = staff.get(reverse("staff:insight"))
    html = response.content.decode()
    assert response.status_code == 200 and "Sessions ready on time, per week" in html and "Treatment day" in html
    assert AuditEvent.objects.filter(action="insight.view").count() == 1

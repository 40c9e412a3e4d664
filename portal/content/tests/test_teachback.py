"""Teach-back questions are part of a page's content: parsed and checked for the editor, hashed, versioned, diffed."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from portal.content import diff, teachback
from portal.content.models import ContentVersion, content_hash
from portal.content.services import content_publish, content_revert_to_version
from portal.content.tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

BODY = (
    "## Getting home\n\nDo not drive until the next day, after restful sleep.\n\n## Food\n\nStop eating 2 hours ahead."
)
DRIVING = """? When may you drive after a session?
- As soon as you leave
+ The next day, after a restful sleep
= The medicine can make you sleepy until the next day.
# Getting home
"""
SECTIONS = {"Getting home": "getting-home", "Food": "food"}


def test_a_question_parses_into_choices_one_right_answer_an_explanation_and_its_section_anchor():
    [question] = teachback.parse(DRIVING, sections=SECTIONS)
    assert question["question"] == "When may you drive after a session?"
    assert question["choices"] == ["As soon as you leave", "The next day, after a restful sleep"]
    assert question["answer"] == 1
    assert question["explanation"] == "The medicine can make you sleepy until the next day."
    assert (question["section"], question["anchor"]) == ("Getting home", "getting-home")
    assert question["key"] == teachback.question_key(question)
    assert teachback.parse("", sections=SECTIONS) == []


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (DRIVING.replace("+ The next", "- The next"), "mark the right answer"),
        (DRIVING.replace("- As soon", "+ As soon"), "only one answer"),
        (DRIVING.replace("# Getting home", "# Going home"), "no heading “Going home”"),
        (DRIVING.replace("next day.", "next day. Sleep well."), "one sentence"),
        (DRIVING.replace("= The medicine can make you sleepy until the next day.\n", ""), "one sentence (a line"),
        (DRIVING.replace("- As soon as you leave\n", ""), "give 2 to 5 answers"),
        (DRIVING * 4, "at most 3 questions"),
        ("When may you drive?\n" + DRIVING, "start each line with"),
        ("- An answer first\n" + DRIVING, "write the question"),
    ],
)
def test_each_rule_is_a_problem_the_editor_reads(source, problem):
    with pytest.raises(teachback.TeachBackError) as raised:
        teachback.parse(source, sections=SECTIONS)
    assert any(problem in message for message in raised.value.messages), raised.value.messages


def test_the_admin_form_check_reports_bad_questions_on_their_field_and_accepts_good_ones():
    article = Article(title="Treatment day", slug="treatment-day", summary="S.", body=BODY)
    article.teach_back = DRIVING.replace("# Getting home", "# Nowhere")
    with pytest.raises(ValidationError) as raised:
        article.full_clean()
    assert "teach_back" in raised.value.message_dict
    article.teach_back = DRIVING
    article.full_clean()


def test_questions_change_the_hash_and_are_kept_with_the_version_patients_were_shown():
    article = make_article(body=BODY, publish=True)
    assert article.content_hash == content_hash(article.title, article.summary, article.body)  # none: hash as before
    article.teach_back = DRIVING
    assert article.has_unpublished_changes
    content_publish(content=article, by=make_user())
    article.refresh_from_db()
    version = ContentVersion.objects.for_content(article).get(version=article.published_version)
    assert version.teach_back == teachback.normalized(DRIVING)
    assert [question["anchor"] for question in article.live_teach_back] == ["getting-home"]
    assert article.teach_back_questions == article.live_teach_back


def test_a_reviewer_sees_changed_questions_in_the_diff_and_a_revert_brings_old_questions_back():
    article = make_article(body=BODY, teach_back=DRIVING, publish=True)
    first = ContentVersion.objects.for_content(article).get(version=article.published_version)
    article.teach_back = DRIVING.replace("restful sleep\n", "good night's sleep\n")
    changes = diff.compare(diff.live_snapshot(article), diff.working_snapshot(article))
    [part] = [part for part in changes if part.label == "Teach-back questions"]
    assert (part.diff.added, part.diff.removed) == (2, 1) and "good night&#x27;s</ins> sleep" in part.diff.html
    content_publish(content=article, by=make_user())
    content_revert_to_version(content=article, version=first, by=make_user(superuser=True, staff=True))
    assert teachback.normalized(article.teach_back) == teachback.normalized(DRIVING)

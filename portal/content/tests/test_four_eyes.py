"""Four eyes: nobody who changed the text since its last approval approves it, not only the last editor and the
submitter. Driven through the admin as people use it; the service refuses the same."""

import pytest

from articles.models import Article
from portal.content.models import ContentStatus
from portal.content.services import ContentWorkflowError, content_approve
from portal.content.tests.governance_helpers import (
    CHECKED,
    add_url,
    admin_url,
    approve_data,
    as_user,
    change_form_data,
    make_staff,
    new_article,
    published,
)

REFUSAL = "You changed this page since its last approval"


@pytest.fixture
def third_reviewer(db):
    return make_staff("tom.reviewer", "Clinical reviewer")


def change_text(user, article, body):
    """`user` saves the article's change form with `body` typed in."""
    response = as_user(user).post(admin_url(article, "change"), change_form_data(article, body=body))
    assert response.status_code == 302, response.content.decode()[:500]
    article.refresh_from_db()
    return article


def add_one_character_and_submit(editor, article):
    change_text(editor, article, article.body + ".")
    assert as_user(editor).post(admin_url(article, "submit")).status_code == 302
    article.refresh_from_db()
    assert article.status == ContentStatus.IN_REVIEW
    return article


def assert_cannot_approve(reviewer, article):
    """No button, the approve page says why and offers no form, a POST approves nothing, the service raises."""
    client = as_user(reviewer)
    assert admin_url(article, "approve") not in client.get(admin_url(article, "change")).content.decode()
    page = client.get(admin_url(article, "approve")).content.decode()
    assert REFUSAL in page
    assert 'name="checked_against"' not in page
    client.post(admin_url(article, "approve"), approve_data(article))
    before = article.published_version
    article.refresh_from_db()
    assert (article.status, article.published_version) == (ContentStatus.IN_REVIEW, before)
    with pytest.raises(ContentWorkflowError, match=REFUSAL):
        content_approve(content=article, by=reviewer, checked_against=CHECKED)


def approve(reviewer, article):
    response = as_user(reviewer).post(admin_url(article, "approve"), approve_data(article))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == ContentStatus.PUBLISHED
    return article


def test_a_reviewer_who_rewrote_a_page_cannot_approve_it_after_an_editor_adds_one_character(
    editor, reviewer, second_reviewer
):
    article = new_article(last_edited_by=editor, body="Stay at the clinic for two hours.")
    change_text(reviewer, article, "Stay at the clinic for two hours. You may drive home afterwards.")
    add_one_character_and_submit(editor, article)

    assert_cannot_approve(reviewer, article)

    approve(second_reviewer, article)
    assert article.published_version == 1
    assert "drive home afterwards.." in article.live_html


def test_on_a_live_page_too_and_the_next_approval_starts_afresh(editor, reviewer, second_reviewer, third_reviewer):
    article = published(new_article(last_edited_by=editor, body="Version one."), editor, third_reviewer)
    change_text(reviewer, article, "Version two, written by the reviewer.")
    add_one_character_and_submit(editor, article)

    assert_cannot_approve(reviewer, article)
    approve(second_reviewer, article)
    assert article.published_version == 2

    # The reviewer's change is approved now: they review the editor's next change like anyone else.
    change_text(editor, article, "Version three, by the editor alone.")
    as_user(editor).post(admin_url(article, "submit"))
    approve(reviewer, article)
    assert article.published_version == 3


def test_the_reviewer_who_wrote_a_new_page_cannot_approve_it_after_an_editor_touches_it(editor, reviewer):
    response = as_user(reviewer).post(
        add_url(Article), {"title": "Your ride home", "slug": "your-ride-home", "summary": "S.", "body": "Plan a ride."}
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="your-ride-home")
    add_one_character_and_submit(editor, article)

    assert_cannot_approve(reviewer, article)


def test_reverting_to_an_old_version_counts_as_changing_the_text(editor, reviewer, third_reviewer):
    article = published(new_article(last_edited_by=editor, body="Version one."), editor, third_reviewer)
    change_text(editor, article, "Version two.")
    published(article, editor, third_reviewer)
    assert as_user(reviewer).post(admin_url(article, "revert", version=1)).status_code == 302
    article.refresh_from_db()
    add_one_character_and_submit(editor, article)

    assert_cannot_approve(reviewer, article)


def test_saving_without_changing_the_text_does_not_count(editor, reviewer, second_reviewer):
    article = new_article(last_edited_by=editor)
    change_text(reviewer, article, article.body)  # saved, text unchanged
    add_one_character_and_submit(editor, article)

    approve(reviewer, article)
    assert article.published_version == 1

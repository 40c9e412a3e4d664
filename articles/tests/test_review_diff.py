"""The reviewer sees every change a patient could see or follow: link targets, images, formatting, the Markdown."""

import pytest
from django.urls import reverse

from portal.content.tests.governance_helpers import (
    admin_url,
    approve_data,
    as_user,
    change_form_data,
    new_article,
    published,
    submitted,
)

pytestmark = pytest.mark.django_db

BODY = "## In a crisis\n\nCall or text [988](tel:988) at any time."


@pytest.fixture
def article(editor, reviewer):
    return published(new_article(body=BODY), editor, reviewer)


def edit_body(article, editor, body):
    """The editor types `body` into the change form and submits the page for review."""
    response = as_user(editor).post(admin_url(article, "change"), change_form_data(article, body=body))
    assert response.status_code == 302
    article.refresh_from_db()
    return submitted(article, editor)


def squeezed(response):
    return " ".join(response.content.decode().split())


def test_a_change_of_only_a_phone_links_target_shows_both_targets_and_says_the_words_are_the_same(
    article, editor, second_reviewer
):
    edit_body(article, editor, BODY.replace("tel:988", "tel:5550100"))
    response = as_user(second_reviewer).get(reverse("admin:articles_article_approve", args=[article.pk]))
    assert response.status_code == 200
    page = squeezed(response)
    # Beside the link text, in the text diff: the old target removed, the new one added.
    assert (
        '988 [link: <del><span class="visually-hidden">Removed: </span>tel:988</del> '
        '<ins><span class="visually-hidden">Added: </span>tel:5550100</ins>]'
    ) in page
    # Named explicitly, and the reviewer is told the words did not change.
    assert "Changes not visible as text" in page
    assert "Link “988”: target changed from “tel:988” to “tel:5550100”" in page
    assert "The words patients read stay the same" in page
    # The Markdown, one click away: the changed line, old and new.
    source = page.split('<details class="diff-part diff-source">')[1].split("</details>")[0]
    assert "Markdown source changes" in source and "1 line added, 1 removed" in source
    assert "− 3: Call or text [988](tel:988) at any time." in source
    assert "+ 3: Call or text [988](tel:5550100) at any time." in source


def test_an_added_image_and_struck_through_words_are_named_on_the_approve_page(article, editor, second_reviewer):
    body = BODY.replace("Call or text", "<s>Call or text</s>") + "\n\n![Crisis line](/media/markdownx/x.png)"
    edit_body(article, editor, body)
    page = squeezed(as_user(second_reviewer).get(admin_url(article, "approve")))
    assert "[image: /media/markdownx/x.png, alt “Crisis line”]" in page
    assert "Image added (file “/media/markdownx/x.png”, alt text “Crisis line”)" in page
    assert "“Call or text” is now struck through" in page
    assert "The words patients read stay the same" in page  # the image and the strike-through are all


def test_a_word_change_shows_no_invisible_changes_note(article, editor, second_reviewer):
    edit_body(article, editor, BODY.replace("at any time", "day or night"))
    page = squeezed(as_user(second_reviewer).get(admin_url(article, "approve")))
    assert "Changes not visible as text" not in page
    assert "The words patients read stay the same" not in page
    assert "Markdown source changes" in page


def test_the_compare_page_names_link_changes_between_versions(article, editor, reviewer, second_reviewer):
    edit_body(article, editor, BODY.replace("tel:988", "https://elsewhere.example"))
    response = as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article))
    assert response.status_code == 302
    page = squeezed(as_user(editor).get(admin_url(article, "compare"), {"old": 1, "new": 2}))
    assert "Link “988”: target changed from “tel:988” to “https://elsewhere.example”" in page
    assert "+ 3: Call or text [988](https://elsewhere.example) at any time." in page

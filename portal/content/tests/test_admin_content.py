"""portal.content.admin: what ReviewedContentAdmin adds to the article and FAQ entry admins (governance fields
read-only, list columns and flags, readability warnings) and that its pages keep the strict CSP."""

import re

from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry
from portal.content.models import ContentStatus
from portal.content.tests.governance_helpers import (
    CHECKED,
    add_url,
    admin_url,
    as_user,
    change_form_data,
    changelist_url,
    edited,
    new_article,
    new_entry,
    published,
    submitted,
)

PLAIN = "You take the spray at the clinic. A nurse stays with you. You rest for two hours. Then you go home."
DENSE = (
    "Esketamine, the S-enantiomer of racemic ketamine, is a non-selective, non-competitive antagonist of the "
    "N-methyl-D-aspartate receptor; its administration necessitates continuous post-administration observation "
    "for sedation, dissociation and transient hypertension."
)


def row_of(page, text):
    """The change-list row (<tr>) that contains `text`."""
    return next(row for row in re.findall(r"<tr.*?</tr>", page, re.S) if text in row)


class TestChangeList:
    def test_shows_status_what_patients_see_reading_grade_and_next_review(self, editor, reviewer):
        live = published(new_article(title="Live page", body=PLAIN), editor, reviewer)
        Article.objects.filter(pk=live.pk).update(next_review_due=timezone.localdate() - timezone.timedelta(days=1))
        new_article(title="Hard page", body=DENSE)

        page = as_user(editor).get(changelist_url(Article)).content.decode()

        for heading in ("Status", "Patients see", "Reading grade", "Next review"):
            assert heading in page
        live_row, hard_row = row_of(page, "Live page"), row_of(page, "Hard page")
        assert "Published" in live_row and "Version 1" in live_row and "overdue" in live_row
        assert "above 8" not in live_row
        assert "Draft" in hard_row and "Not published" in hard_row
        assert re.search(r"governance-flag\">\d+\.\d ⚠ above 8", hard_row)

    def test_faq_entries_get_the_same_columns(self, editor):
        new_entry(question="Hard question?", answer=DENSE)
        page = as_user(editor).get(changelist_url(FaqEntry)).content.decode()
        assert "above 8" in row_of(page, "Hard question?")

    def test_editing_positions_in_the_list_does_not_touch_the_workflow(self, editor, reviewer):
        entry = published(new_entry(), editor, reviewer)
        as_user(editor).post(
            changelist_url(FaqEntry),
            {
                "form-TOTAL_FORMS": 1,
                "form-INITIAL_FORMS": 1,
                "form-0-id": entry.pk,
                "form-0-position": 42,
                "_save": "Save",
            },
        )
        entry.refresh_from_db()
        assert entry.position == 42
        assert entry.status == ContentStatus.PUBLISHED


class TestChangeForm:
    def test_governance_fields_are_shown_but_only_the_workflow_changes_them(self, editor, reviewer):
        article = published(new_article(), editor, reviewer)
        review_due = article.next_review_due
        client = as_user(editor)
        page = client.get(admin_url(article, "change")).content.decode()
        for label in ("Review and publishing", "Clinical review", "Checked against", "Next review due", "Readability"):
            assert label in page
        assert 'name="checked_against"' not in page and 'name="next_review_due"' not in page
        assert 'name="status"' not in page and 'name="expire_at"' not in page

        client.post(
            admin_url(article, "change"),
            change_form_data(
                article,
                status="draft",
                checked_against="nothing",
                next_review_due="2099-01-01",
                expire_at="2000-01-01T00:00",
            ),
        )
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED
        assert article.checked_against == CHECKED
        assert article.expire_at is None
        assert article.next_review_due == review_due

    def test_the_add_form_only_asks_for_the_content(self, editor):
        page = as_user(editor).get(add_url(Article)).content.decode()
        assert 'name="title"' in page and 'name="body"' in page
        assert "Clinical review" not in page

    def test_saving_a_hard_to_read_page_warns_the_editor(self, editor):
        response = as_user(editor).post(
            add_url(Article),
            {"title": "Pharmacology", "slug": "pharmacology", "summary": "S.", "body": DENSE},
            follow=True,
        )
        article = Article.objects.get(slug="pharmacology")
        assert article.readability_grade > 8
        messages = [str(message) for message in response.context["messages"]]
        assert any(f"reads at US school grade {article.readability_grade}, above 8" in m for m in messages)
        page = as_user(editor).get(admin_url(article, "change")).content.decode()
        assert f"Reading grade {article.readability_grade} is above 8" in page
        assert str(article.word_count) in page

    def test_no_warning_for_plain_language(self, editor):
        response = as_user(editor).post(
            add_url(Article),
            {"title": "Your visit", "slug": "your-visit", "summary": "S.", "body": PLAIN},
            follow=True,
        )
        assert Article.objects.get(slug="your-visit").readability_grade <= 8
        assert not any("school grade" in str(message) for message in response.context["messages"])


def test_workflow_pages_use_no_inline_script_or_style(editor, reviewer, second_reviewer):
    article = edited(published(new_article(), editor, reviewer), editor, "Changed.")
    submitted(article, editor)
    second = as_user(second_reviewer)
    urls = [
        admin_url(article, "change"),
        admin_url(article, "approve"),
        admin_url(article, "reject"),
        admin_url(article, "archive"),
        admin_url(article, "versions"),
        admin_url(article, "version", version=1),
        admin_url(article, "compare") + "?old=1&new=draft",
        admin_url(article, "revert", version=1),
        reverse("admin:content_review_due"),
        reverse("admin:index"),
        changelist_url(Article),
    ]
    for url in urls:
        response = second.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html, url
        assert "css/admin-governance.css" in html, url

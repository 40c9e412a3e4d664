"""The review cycle: a next-review date (12 months after approval by default) and a "checked against" note
on every approval; an admin page of overdue and soon-due pages; staff warned on overdue pages, patients not."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from portal.content.models import ContentStatus, ContentVersion
from portal.content.services import content_archive, content_submit_for_review
from portal.content.tests.governance_helpers import (
    CHECKED,
    admin_url,
    approve_data,
    as_user,
    changelist_url,
    make_staff,
    new_article,
    new_entry,
    public_article,
    published,
)


def due_on(content, days_from_today):
    type(content).objects.filter(pk=content.pk).update(
        next_review_due=timezone.localdate() + timezone.timedelta(days=days_from_today)
    )
    content.refresh_from_db()
    return content


def test_next_review_defaults_to_twelve_months_after_approval(editor, reviewer):
    article = new_article()
    content_submit_for_review(content=article, by=editor)
    form = as_user(reviewer).get(admin_url(article, "approve")).context["form"]
    expected = timezone.localdate() + timezone.timedelta(days=365)
    assert form["next_review_due"].value() == expected

    article = published(new_article(), editor, reviewer)
    assert article.next_review_due == expected
    assert article.last_reviewed_at.date() == timezone.now().date()


@override_settings(CONTENT_REVIEW_INTERVAL_DAYS=90)
def test_the_review_interval_is_a_setting(editor, reviewer):
    article = published(new_article(), editor, reviewer)
    assert article.next_review_due == timezone.localdate() + timezone.timedelta(days=90)


def test_the_reviewer_may_choose_an_earlier_review_date_but_not_a_past_one(editor, reviewer):
    article = new_article()
    content_submit_for_review(content=article, by=editor)
    article.refresh_from_db()
    client = as_user(reviewer)
    yesterday = (timezone.localdate() - timezone.timedelta(days=1)).isoformat()
    response = client.post(admin_url(article, "approve"), approve_data(article, next_review_due=yesterday))
    assert response.context["form"].errors["next_review_due"]
    in_six_months = timezone.localdate() + timezone.timedelta(days=182)
    client.post(admin_url(article, "approve"), approve_data(article, next_review_due=in_six_months.isoformat()))
    article.refresh_from_db()
    assert article.next_review_due == in_six_months


def test_the_checked_against_note_is_kept_on_the_page_and_its_version(editor, reviewer):
    article = published(new_article(), editor, reviewer)
    assert article.checked_against == CHECKED
    assert ContentVersion.objects.for_content(article).get().checked_against == CHECKED


class TestReviewSchedulePage:
    @pytest.fixture
    def pages(self, editor, reviewer):
        overdue = due_on(published(new_article(title="Overdue article"), editor, reviewer), -3)
        soon = due_on(published(new_entry(question="Due soon question?"), editor, reviewer), 10)
        later = due_on(published(new_article(title="Later article"), editor, reviewer), 200)
        archived = due_on(published(new_article(title="Archived article"), editor, reviewer), -3)
        content_archive(content=archived, by=reviewer)
        return overdue, soon, later

    def test_lists_overdue_and_due_within_30_days_pages(self, pages, editor):
        overdue, soon, _later = pages
        response = as_user(editor).get(reverse("admin:content_review_due"))
        assert response.status_code == 200
        assert [row["content"] for row in response.context["overdue"]] == [overdue]
        assert [row["content"] for row in response.context["due_soon"]] == [soon]
        page = response.content.decode()
        assert "Overdue article" in page and "3 days overdue" in page
        assert "Due soon question?" in page
        assert "Later article" not in page and "Archived article" not in page
        assert admin_url(overdue, "change") in page

    def test_is_linked_from_the_admin_index_with_counts(self, pages, editor):
        page = as_user(editor).get(reverse("admin:index")).content.decode()
        assert reverse("admin:content_review_due") in page
        assert "1 overdue" in page and "1 due within 30 days" in page
        assert reverse("admin:content_review_due") in as_user(editor).get(changelist_url(Article)).content.decode()

    def test_staff_without_access_to_content_cannot_open_it(self, pages):
        front_desk = make_staff("fran.desk", "Clinic staff")
        assert as_user(front_desk).get(reverse("admin:content_review_due")).status_code == 403
        assert (
            reverse("admin:content_review_due") not in as_user(front_desk).get(reverse("admin:index")).content.decode()
        )
        assert Client().get(reverse("admin:content_review_due")).status_code == 302  # to the login page

    def test_the_change_list_filters_overdue_pages(self, pages, editor):
        overdue, _soon, _later = pages
        response = as_user(editor).get(changelist_url(Article), {"review": "overdue"})
        assert list(response.context["cl"].queryset) == [overdue]


class TestOverdueWarning:
    def test_staff_see_it_on_the_change_page_patients_never_see_it(self, editor, reviewer):
        article = due_on(published(new_article(), editor, reviewer), -1)
        page = as_user(editor).get(admin_url(article, "change")).content.decode()
        assert "Review overdue" in page
        public = public_article(article).content.decode()
        assert "overdue" not in public.lower()
        assert "Last reviewed" in public

    def test_not_shown_before_the_date(self, editor, reviewer):
        article = published(new_article(), editor, reviewer)
        assert "Review overdue" not in as_user(editor).get(admin_url(article, "change")).content.decode()


class TestConfirmingAReview:
    def test_an_unchanged_page_is_confirmed_without_a_new_version(self, editor, reviewer):
        article = due_on(published(new_article(), editor, reviewer), -5)
        second = make_staff("sam.reviewer", "Clinical reviewer")
        client = as_user(second)
        page = client.get(admin_url(article, "change")).content.decode()
        assert "Confirm review" in page
        approve_page = client.get(admin_url(article, "approve")).content.decode()
        assert "Approving confirms its periodic review" in approve_page
        assert "Patients must re-read" not in approve_page

        response = client.post(
            admin_url(article, "approve"),
            approve_data(article, checked_against="SPRAVATO PI rev. 06/2026"),
            follow=True,
        )

        assert "Review confirmed" in response.content.decode()
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED
        assert article.published_version == 1
        assert ContentVersion.objects.for_content(article).count() == 1
        assert article.approved_by == second
        assert article.checked_against == "SPRAVATO PI rev. 06/2026"
        assert article.next_review_due == timezone.localdate() + timezone.timedelta(days=365)
        assert not Article.objects.review_overdue().exists()

    def test_a_page_with_unsubmitted_changes_cannot_be_confirmed(self, editor, reviewer):
        article = published(new_article(), editor, reviewer)
        Article.objects.filter(pk=article.pk).update(body="Changed but still marked published.")
        article.refresh_from_db()
        page = as_user(make_staff("sam.reviewer", "Clinical reviewer")).get(admin_url(article, "approve"))
        assert "changes that have not been submitted" in page.content.decode()

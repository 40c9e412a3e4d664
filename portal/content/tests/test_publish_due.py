"""Scheduled publishing and expiry: approvals with a future "publish at" wait; `manage.py publish_due` (cron,
every minute) publishes and expires what is due, once, whoever else runs it at the same time."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry
from portal.content.models import ContentStatus, ContentVersion
from portal.content.selectors import content_pending_version
from portal.content.services import content_approve, content_publish_due
from portal.content.tests.governance_helpers import (
    CHECKED,
    admin_url,
    approve_data,
    as_user,
    change_form_data,
    edited,
    local_input,
    make_staff,
    new_article,
    new_entry,
    public_article,
    submitted,
)
from portal.reading.models import Patient, SessionItem, Treatment, TreatmentSession


def publish_due(*args):
    out = io.StringIO()
    call_command("publish_due", *args, stdout=out)
    return out.getvalue()


def time_passes(content, *, field="publish_at"):
    """Move the page's publish_at (or expire_at) a minute into the past, as if the time had come."""
    type(content).objects.filter(pk=content.pk).update(**{field: timezone.now() - timezone.timedelta(minutes=1)})


class TestScheduledApproval:
    def test_a_future_publish_time_records_the_approval_but_patients_wait(self, editor, reviewer):
        article = submitted(new_article(), editor)
        publish_at = timezone.now() + timezone.timedelta(days=1)

        response = as_user(reviewer).post(
            admin_url(article, "approve"), approve_data(article, publish_at=local_input(publish_at)), follow=True
        )

        assert "Approved version 1. Patients see it from" in response.content.decode()
        article.refresh_from_db()
        assert article.status == ContentStatus.SCHEDULED
        assert article.published_version == 0
        assert article.approved_by == reviewer and article.last_reviewed_at is not None
        pending = content_pending_version(content=article)
        assert pending.version == 1 and pending.published_at is None and pending.approved_by == reviewer
        assert public_article(article).status_code == 404
        assert publish_due() == ""  # not due yet: nothing done, nothing printed
        assert "Nothing due." in publish_due("--verbosity", "2")

    def test_publish_due_publishes_once_the_time_has_come_and_only_once(self, editor, reviewer):
        article = submitted(new_article(body="Approved text."), editor)
        content_approve(
            content=article,
            by=reviewer,
            checked_against=CHECKED,
            publish_at=timezone.now() + timezone.timedelta(hours=2),
        )
        time_passes(article)

        output = publish_due()

        assert output.strip() == f"Published: article #{article.pk} “{article.title}” (version 1)"
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED
        assert article.published_version == 1
        assert "Approved text." in article.live_html
        assert ContentVersion.objects.for_content(article).get().published_at is not None
        assert public_article(article).status_code == 200
        assert publish_due() == ""
        assert ContentVersion.objects.for_content(article).count() == 1

    def test_a_publish_time_in_the_past_publishes_at_once(self, editor, reviewer):
        article = submitted(new_article(), editor)
        past = timezone.now() - timezone.timedelta(hours=1)
        as_user(reviewer).post(admin_url(article, "approve"), approve_data(article, publish_at=local_input(past)))
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED and article.published_version == 1

    def test_editing_a_scheduled_page_cancels_the_schedule(self, editor, reviewer):
        article = submitted(new_article(), editor)
        content_approve(
            content=article, by=reviewer, checked_against=CHECKED, publish_at=timezone.now() + timezone.timedelta(1)
        )
        response = as_user(editor).post(
            admin_url(article, "change"), change_form_data(article, body="A late change."), follow=True
        )
        assert "cancelled the scheduled publication" in response.content.decode()
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert content_pending_version(content=article) is None
        time_passes(article)
        assert publish_due() == ""
        assert public_article(article).status_code == 404

    def test_a_reviewer_can_send_a_scheduled_page_back(self, editor, reviewer):
        article = submitted(new_article(), editor)
        content_approve(
            content=article, by=reviewer, checked_against=CHECKED, publish_at=timezone.now() + timezone.timedelta(1)
        )
        as_user(reviewer).post(admin_url(article, "reject"), {"note": "Wait for the new label."})
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert not ContentVersion.objects.for_content(article).exists()

    def test_a_page_changed_outside_the_admin_after_approval_is_not_published(self, editor, reviewer):
        article = submitted(new_article(body="Approved text."), editor)
        content_approve(
            content=article, by=reviewer, checked_against=CHECKED, publish_at=timezone.now() + timezone.timedelta(1)
        )
        Article.objects.filter(pk=article.pk).update(body="Never approved.")
        time_passes(article)

        output = publish_due()

        assert output.startswith(f"Skipped: article #{article.pk}")
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.published_version == 0
        assert "Not published at its scheduled time" in article.review_note
        assert publish_due() == ""

    def test_a_material_change_reaches_sessions_when_it_is_published_not_when_approved(self, editor, reviewer):
        article = submitted(new_article(), editor)
        content_approve(content=article, by=reviewer, checked_against=CHECKED)
        article.refresh_from_db()
        session = TreatmentSession.objects.create(
            patient=Patient.objects.create(reference="P-1", display_name="A. B."),
            treatment=Treatment.objects.create(name="Spravato", slug="spravato"),
            scheduled_at=timezone.now() + timezone.timedelta(days=3),
        )
        item = SessionItem.objects.create(session=session, position=1, article=article)
        submitted(edited(article, editor, "Safety text changed."), editor)
        second = make_staff("sam.reviewer", "Clinical reviewer")
        content_approve(
            content=article,
            by=second,
            checked_against=CHECKED,
            material_change=True,
            publish_at=timezone.now() + timezone.timedelta(days=1),
        )
        item.refresh_from_db()
        assert item.current_material_version == 0
        time_passes(article)
        publish_due()
        item.refresh_from_db()
        assert item.current_material_version == 2

    def test_expire_must_come_after_publish(self, editor, reviewer):
        article = submitted(new_article(), editor)
        now = timezone.now()
        response = as_user(reviewer).post(
            admin_url(article, "approve"),
            approve_data(
                article,
                publish_at=local_input(now + timezone.timedelta(days=2)),
                expire_at=local_input(now + timezone.timedelta(days=1)),
            ),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["expire_at"]
        article.refresh_from_db()
        assert article.status == ContentStatus.IN_REVIEW


class TestExpiry:
    def test_publish_due_archives_what_has_expired(self, editor, reviewer):
        article = submitted(new_article(), editor)
        as_user(reviewer).post(
            admin_url(article, "approve"),
            approve_data(article, expire_at=local_input(timezone.now() + timezone.timedelta(days=30))),
        )
        article.refresh_from_db()
        assert article.expire_at is not None and public_article(article).status_code == 200
        time_passes(article, field="expire_at")
        assert public_article(article).status_code == 404  # hidden at once by the query, before the job runs

        output = publish_due()

        assert output.startswith(f"Expired: article #{article.pk}")
        article.refresh_from_db()
        assert article.status == ContentStatus.ARCHIVED
        assert article.withdrawn_at is not None
        assert publish_due() == ""

    def test_an_expired_faq_entry_leaves_its_topic_page(self, editor, reviewer):
        entry = submitted(new_entry(), editor)
        content_approve(
            content=entry,
            by=reviewer,
            checked_against=CHECKED,
            expire_at=timezone.now() + timezone.timedelta(days=1),
        )
        topic = entry.topic
        topic.refresh_from_db()
        version_before = topic.published_version
        time_passes(entry, field="expire_at")
        publish_due()
        topic.refresh_from_db()
        assert topic.published_version == version_before + 1
        assert not topic.live_entries().exists()

    def test_an_expired_page_with_a_draft_in_progress_keeps_the_draft(self, editor, reviewer):
        article = submitted(new_article(), editor)
        content_approve(
            content=article, by=reviewer, checked_against=CHECKED, expire_at=timezone.now() + timezone.timedelta(1)
        )
        as_user(editor).post(admin_url(article, "change"), change_form_data(article, body="Work in progress."))
        time_passes(article, field="expire_at")
        publish_due()
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.withdrawn_at is not None
        assert not Article.objects.published().filter(pk=article.pk).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_time_publish_a_page_once():
    editor = make_staff("erin.editor", "Editor")
    reviewer = make_staff("rita.reviewer", "Clinical reviewer")
    articles = [submitted(new_article(), editor) for _ in range(5)]
    entries = [submitted(new_entry(), editor) for _ in range(5)]
    for content in [*articles, *entries]:
        content_approve(
            content=content, by=reviewer, checked_against=CHECKED, publish_at=timezone.now() + timezone.timedelta(1)
        )
        time_passes(content)

    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.extend(content_publish_due())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcome.content.pk for outcome in results if isinstance(outcome.content, Article)) == sorted(
        article.pk for article in articles
    )
    assert len(results) == 10
    assert ContentVersion.objects.count() == 10
    assert set(Article.objects.values_list("published_version", flat=True)) == {1}
    assert set(FaqEntry.objects.values_list("published_version", flat=True)) == {1}
    topic_versions = {entry.topic.pk: entry.topic for entry in FaqEntry.objects.select_related("topic")}
    assert {topic.published_version for topic in topic_versions.values()} == {1}

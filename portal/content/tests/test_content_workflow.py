"""The review workflow, driven through the admin as editors and reviewers use it: draft -> in review ->
published -> archived, four eyes, patients keep the approved version, material changes."""

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry
from portal.content.models import ContentStatus, ContentVersion
from portal.content.services import ContentWorkflowError, content_approve, content_submit_for_review
from portal.content.tests.governance_helpers import (
    CHECKED,
    add_url,
    admin_url,
    approve_data,
    as_user,
    change_form_data,
    changelist_url,
    make_staff,
    new_article,
    new_entry,
    public_article,
    published,
)
from portal.reading.models import Patient, ReadingRecord, SessionItem, SessionStatus, Treatment, TreatmentSession


@pytest.fixture(autouse=True)
def _fresh_public_pages():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def published_article(editor, reviewer, **fields):
    return published(new_article(last_edited_by=editor, **fields), editor, reviewer)


class TestEditorsDraftsAndSubmission:
    def test_a_page_added_in_the_admin_is_a_draft_patients_cannot_see(self, editor):
        response = as_user(editor).post(
            add_url(Article),
            {"title": "Your first session", "slug": "your-first-session", "summary": "S.", "body": "Text."},
        )
        assert response.status_code == 302
        article = Article.objects.get(slug="your-first-session")
        assert article.status == ContentStatus.DRAFT
        assert article.last_edited_by == editor
        assert public_article(article).status_code == 404

    def test_submitting_for_review_records_who_and_when(self, editor):
        article = new_article()
        client = as_user(editor)
        assert client.get(admin_url(article, "submit")).status_code == 200  # the confirmation page
        response = client.post(admin_url(article, "submit"))
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.status == ContentStatus.IN_REVIEW
        assert article.submitted_by == editor
        assert article.submitted_at is not None

    def test_status_cannot_be_set_in_the_change_form(self, editor):
        article = new_article()
        as_user(editor).post(admin_url(article, "change"), change_form_data(article, status="published"))
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.published_version == 0

    def test_change_page_offers_the_steps_the_user_may_take(self, editor, reviewer):
        article = new_article()
        page = as_user(editor).get(admin_url(article, "change")).content.decode()
        assert admin_url(article, "submit") in page
        assert admin_url(article, "approve") not in page  # editors cannot approve
        content_submit_for_review(content=article, by=editor)
        page = as_user(reviewer).get(admin_url(article, "change")).content.decode()
        assert admin_url(article, "approve") in page
        assert admin_url(article, "reject") in page
        assert admin_url(article, "submit") not in page


class TestApproval:
    def test_a_second_person_with_the_permission_publishes_and_is_recorded(self, editor, reviewer):
        article = new_article(body="You stay at the clinic for at least two hours.")
        as_user(editor).post(admin_url(article, "change"), change_form_data(article, body="You stay two hours."))
        as_user(editor).post(admin_url(article, "submit"))
        article.refresh_from_db()

        before = timezone.now()
        response = as_user(reviewer).post(admin_url(article, "approve"), approve_data(article))

        assert response.status_code == 302
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED
        assert article.published_version == 1
        assert article.approved_by == reviewer
        assert article.checked_against == CHECKED
        assert article.last_reviewed_at >= before
        version = ContentVersion.objects.for_content(article).get()
        assert (version.version, version.approved_by, version.approved_by_name) == (1, reviewer, "rita.reviewer")
        assert version.approved_at >= before and version.published_at == version.approved_at
        assert version.edited_by_name == "erin.editor"
        assert version.checked_against == CHECKED
        page = public_article(article)
        assert page.status_code == 200
        assert "You stay two hours." in page.content.decode()

    def test_the_last_editor_cannot_approve_even_with_the_permission(self, editor, reviewer, second_reviewer):
        article = new_article()
        as_user(reviewer).post(admin_url(article, "change"), change_form_data(article, body="Reviewer's own words."))
        as_user(editor).post(admin_url(article, "submit"))
        article.refresh_from_db()
        client = as_user(reviewer)

        page = client.get(admin_url(article, "approve")).content.decode()
        assert "You made the last change to this page" in page
        assert 'name="checked_against"' not in page  # no approve form to fill in
        client.post(admin_url(article, "approve"), approve_data(article))

        article.refresh_from_db()
        assert article.status == ContentStatus.IN_REVIEW
        assert article.published_version == 0
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article))
        article.refresh_from_db()
        assert article.published_version == 1

    def test_the_person_who_submitted_cannot_approve(self, reviewer):
        article = new_article()
        as_user(reviewer).post(admin_url(article, "submit"))
        article.refresh_from_db()
        as_user(reviewer).post(admin_url(article, "approve"), approve_data(article))
        article.refresh_from_db()
        assert article.status == ContentStatus.IN_REVIEW
        with pytest.raises(ContentWorkflowError, match="submitted this page"):
            content_approve(content=article, by=reviewer, checked_against=CHECKED)

    def test_users_without_the_approve_permission_are_refused(self, editor):
        article = new_article()
        content_submit_for_review(content=article, by=make_staff("other.editor", "Editor"))
        client = as_user(editor)
        assert client.get(admin_url(article, "approve")).status_code == 403
        assert client.post(admin_url(article, "approve"), approve_data(article)).status_code == 403
        article.refresh_from_db()
        assert article.published_version == 0

    def test_checked_against_is_required(self, editor, reviewer):
        article = new_article()
        content_submit_for_review(content=article, by=editor)
        response = as_user(reviewer).post(admin_url(article, "approve"), approve_data(article, checked_against=""))
        assert response.status_code == 200
        assert response.context["form"].errors["checked_against"]
        article.refresh_from_db()
        assert article.published_version == 0

    def test_a_change_made_while_the_reviewer_looked_is_not_approved(self, editor, reviewer):
        article = new_article()
        content_submit_for_review(content=article, by=editor)
        shown = approve_data(article)  # the hash of what the approve page showed
        Article.objects.filter(pk=article.pk).update(body="Changed behind the reviewer's back.")
        response = as_user(reviewer).post(admin_url(article, "approve"), shown)
        assert "The page changed while you were reviewing it" in response.content.decode()
        article.refresh_from_db()
        assert article.published_version == 0

    def test_the_approve_page_shows_what_will_change_for_patients(self, editor, reviewer):
        article = published_article(editor, reviewer, body="Esketamine is an NMDA receptor enhancer.")
        as_user(editor).post(
            admin_url(article, "change"), change_form_data(article, body="Esketamine is an NMDA receptor antagonist.")
        )
        as_user(editor).post(admin_url(article, "submit"))
        page = as_user(make_staff("third.reviewer", "Clinical reviewer")).get(admin_url(article, "approve"))
        html = page.content.decode()
        assert "What will change for patients" in html
        assert '<del><span class="visually-hidden">Removed: </span>enhancer</del>' in html
        assert '<ins><span class="visually-hidden">Added: </span>antagonist</ins>' in html


class TestEditingAPublishedPage:
    def test_patients_keep_the_approved_version_until_the_next_approval(self, editor, reviewer, second_reviewer):
        article = published_article(editor, reviewer, body="Stay at the clinic for two hours.")
        response = as_user(editor).post(
            admin_url(article, "change"),
            change_form_data(article, body="Stay at the clinic for at least two hours."),
            follow=True,
        )
        assert "Patients keep seeing version 1" in response.content.decode()
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.last_edited_by == editor
        assert article.published_version == 1
        page = public_article(article).content.decode()
        assert "Stay at the clinic for two hours." in page
        assert "at least" not in page

        as_user(editor).post(admin_url(article, "submit"))
        article.refresh_from_db()
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article))
        article.refresh_from_db()
        assert article.published_version == 2
        assert "Stay at the clinic for at least two hours." in public_article(article).content.decode()

    def test_saving_without_changing_the_text_keeps_the_status_and_the_last_editor(self, editor, reviewer):
        article = published_article(editor, reviewer)
        as_user(reviewer).post(admin_url(article, "change"), change_form_data(article))
        article.refresh_from_db()
        assert article.status == ContentStatus.PUBLISHED
        assert article.last_edited_by == editor

    def test_editing_a_page_in_review_sends_it_back_to_draft(self, editor):
        article = new_article()
        content_submit_for_review(content=article, by=editor)
        as_user(editor).post(admin_url(article, "change"), change_form_data(article, body="Another try."))
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.submitted_by is None


class TestRejectAndArchive:
    def test_sending_back_to_draft_needs_a_note_which_the_editor_sees(self, editor, reviewer):
        article = new_article()
        content_submit_for_review(content=article, by=editor)
        client = as_user(reviewer)
        response = client.post(admin_url(article, "reject"), {"note": ""})
        assert response.status_code == 200 and response.context["form"].errors["note"]
        client.post(admin_url(article, "reject"), {"note": "Esketamine is an antagonist, not an enhancer."})
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert article.review_note == "Esketamine is an antagonist, not an enhancer."
        page = as_user(editor).get(admin_url(article, "change")).content.decode()
        assert "Sent back by the reviewer: Esketamine is an antagonist, not an enhancer." in page

    def test_archiving_hides_the_page_and_only_a_new_approval_brings_it_back(self, editor, reviewer, second_reviewer):
        article = published_article(editor, reviewer)
        assert as_user(editor).post(admin_url(article, "archive")).status_code == 403  # editors cannot archive
        as_user(reviewer).post(admin_url(article, "archive"))
        article.refresh_from_db()
        assert article.status == ContentStatus.ARCHIVED
        assert public_article(article).status_code == 404

        # Editing the archived page makes a draft, but patients still see nothing.
        as_user(editor).post(admin_url(article, "change"), change_form_data(article, body="Updated guidance."))
        article.refresh_from_db()
        assert article.status == ContentStatus.DRAFT
        assert public_article(article).status_code == 404
        assert not Article.objects.published().filter(pk=article.pk).exists()

        as_user(editor).post(admin_url(article, "submit"))
        article.refresh_from_db()
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article))
        article.refresh_from_db()
        assert article.withdrawn_at is None
        assert "Updated guidance." in public_article(article).content.decode()

    def test_a_published_page_cannot_be_deleted_in_the_admin(self, editor, reviewer, admin_user):
        article = published_article(editor, reviewer)
        assert Client().get(admin_url(article, "delete")).status_code == 302  # login first
        client = as_user(admin_user)
        assert client.post(admin_url(article, "delete"), {"post": "yes"}).status_code == 403
        assert Article.objects.filter(pk=article.pk).exists()
        assert "delete_selected" not in client.get(changelist_url(Article)).content.decode()


class TestBulkActions:
    def test_submit_and_archive_selected(self, editor, reviewer):
        drafts = [new_article(), new_article()]
        as_user(editor).post(
            changelist_url(Article),
            {"action": "submit_selected_for_review", "_selected_action": [a.pk for a in drafts]},
        )
        assert set(Article.objects.values_list("status", flat=True)) == {ContentStatus.IN_REVIEW}

        live = published_article(editor, reviewer)
        as_user(reviewer).post(changelist_url(Article), {"action": "archive_selected", "_selected_action": [live.pk]})
        live.refresh_from_db()
        assert live.status == ContentStatus.ARCHIVED

    def test_editors_are_not_offered_archiving(self, editor):
        new_article()
        page = as_user(editor).get(changelist_url(Article)).content.decode()
        assert "submit_selected_for_review" in page
        assert "archive_selected" not in page


class TestFaqEntriesShareTheMechanism:
    def test_an_faq_entry_goes_through_the_same_steps(self, editor, reviewer):
        entry = new_entry(answer="Do not drive until the next day.")
        topic = entry.topic
        as_user(editor).post(admin_url(entry, "submit"))
        entry.refresh_from_db()
        as_user(reviewer).post(admin_url(entry, "approve"), approve_data(entry))
        entry.refresh_from_db()
        topic.refresh_from_db()
        assert entry.status == ContentStatus.PUBLISHED
        assert entry.published_version == 1
        assert topic.published_version == 1
        assert ContentVersion.objects.for_content(entry).get().approved_by == reviewer
        assert FaqEntry.objects.published().filter(pk=entry.pk).exists()

        as_user(editor).post(admin_url(entry, "change"), change_form_data(entry, answer="Not until tomorrow."))
        entry.refresh_from_db()
        assert entry.status == ContentStatus.DRAFT
        assert entry.live_html and "Do not drive until the next day." in entry.live_html


@pytest.fixture
def sessions(db):
    """One past and one upcoming session of the same patient; the tests add items to both."""
    treatment = Treatment.objects.create(name="Spravato", slug="spravato")
    patient = Patient.objects.create(reference="P-0001", display_name="A. B.")
    now = timezone.now()
    past = TreatmentSession.objects.create(
        patient=patient, treatment=treatment, scheduled_at=now - timezone.timedelta(days=3)
    )
    upcoming = TreatmentSession.objects.create(
        patient=patient, treatment=treatment, scheduled_at=now + timezone.timedelta(days=2)
    )
    return past, upcoming


def acknowledged_item(session, content, **target):
    """A session item for `content` (article, or FAQ topic) whose patient acknowledged its live version."""
    item = SessionItem.objects.create(
        session=session, position=1, current_material_version=content.material_version, **target
    )
    read = content.published_version if hasattr(content, "published_version") else content.version
    ReadingRecord.objects.create(
        item=item, opened_at=timezone.now(), acknowledged_at=timezone.now(), acknowledged_version=read
    )
    return item


def items_done(session):
    return TreatmentSession.objects.with_completion().get(pk=session.pk).items_done


class TestMaterialChange:
    def edit_and_submit(self, editor, obj, **changes):
        as_user(editor).post(admin_url(obj, "change"), change_form_data(obj, **changes))
        as_user(editor).post(admin_url(obj, "submit"))
        obj.refresh_from_db()

    def test_ticked_patients_of_upcoming_sessions_must_read_again(self, editor, reviewer, second_reviewer, sessions):
        past, upcoming = sessions
        article = published_article(editor, reviewer, body="Stay for two hours.")
        article.refresh_from_db()
        past_item = acknowledged_item(past, article, article=article)
        upcoming_item = acknowledged_item(upcoming, article, article=article)
        assert items_done(upcoming) == 1

        self.edit_and_submit(editor, article, body="Stay for at least two hours; no driving until tomorrow.")
        page = as_user(second_reviewer).get(admin_url(article, "approve")).content.decode()
        assert "Patients must re-read this page" in page
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article, material_change="on"))

        article.refresh_from_db()
        assert article.material_version == article.published_version == 2
        assert ContentVersion.objects.for_content(article).get(version=2).material_change
        upcoming_item.refresh_from_db()
        past_item.refresh_from_db()
        assert upcoming_item.current_material_version == 2
        assert items_done(upcoming) == 0  # "read an earlier version": not done any more
        assert past_item.current_material_version == 0  # what was read before a past session stays
        assert items_done(past) == 1

    def test_unticked_nobody_is_asked_to_read_again(self, editor, reviewer, second_reviewer, sessions):
        _past, upcoming = sessions
        article = published_article(editor, reviewer, body="Stay for two hours.")
        article.refresh_from_db()
        acknowledged_item(upcoming, article, article=article)

        self.edit_and_submit(editor, article, body="Stay for two hours at the clinic.")
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article))

        article.refresh_from_db()
        assert article.published_version == 2
        assert article.material_version == 0
        assert items_done(upcoming) == 1

    def test_a_material_faq_change_reaches_items_of_its_topic(self, editor, reviewer, second_reviewer, sessions):
        _past, upcoming = sessions
        entry = new_entry()
        content_submit_for_review(content=entry, by=editor)
        content_approve(content=entry, by=reviewer, checked_against=CHECKED)
        topic = entry.topic
        topic.refresh_from_db()
        acknowledged_item(upcoming, topic, faq_topic=topic)
        entry.refresh_from_db()

        self.edit_and_submit(editor, entry, answer="Not until the next day, after restful sleep.")
        as_user(second_reviewer).post(admin_url(entry, "approve"), approve_data(entry, material_change="on"))

        topic.refresh_from_db()
        assert topic.material_version == topic.published_version == 2
        assert SessionItem.objects.get(session=upcoming).current_material_version == 2
        assert items_done(upcoming) == 0

    def test_no_tickbox_on_a_first_publication(self, editor, reviewer):
        article = new_article()
        content_submit_for_review(content=article, by=editor)
        page = as_user(reviewer).get(admin_url(article, "approve")).content.decode()
        assert "Patients must re-read this page" not in page
        assert "The page as patients will see it" in page

    def test_cancelled_sessions_are_not_touched(self, editor, reviewer, second_reviewer, sessions):
        _past, upcoming = sessions
        upcoming.status = SessionStatus.CANCELLED
        upcoming.save()
        article = published_article(editor, reviewer)
        article.refresh_from_db()
        item = acknowledged_item(upcoming, article, article=article)
        self.edit_and_submit(editor, article, body="New safety text.")
        as_user(second_reviewer).post(admin_url(article, "approve"), approve_data(article, material_change="on"))
        item.refresh_from_db()
        assert item.current_material_version == 0
        assert items_done(upcoming) == 1

"""portal.content.workflow: one table answers which steps a user may take on a page now, and the admin's buttons,
its step views, the approve form and the services all agree with it, for every role and every status.

The matrix test tries every step on one page per state, each attempt rolled back (`undone`)."""

import contextlib

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from portal.content.forms import ApproveForm
from portal.content.models import ContentStatus
from portal.content.selectors import content_versions
from portal.content.services import (
    ContentWorkflowError,
    content_approve,
    content_archive,
    content_record_edit,
    content_reject,
    content_revert_to_version,
    content_submit_for_review,
)
from portal.content.tests.governance_helpers import (
    CHECKED,
    admin_url,
    approve_data,
    as_user,
    changelist_url,
    make_staff,
    new_article,
    published,
    submitted,
)
from portal.content.workflow import STEP_NAMES, content_available_steps, content_step

ROLES = ("editor", "reviewer", "author", "contributor", "front_desk")
# The steps each role may take on a page in each state, written out by hand: the table must say exactly this.
# "author" (a reviewer) made the last change and submitted it; "contributor" (a reviewer) changed the text
# before the author did; "reviewer" and "editor" took no part; "front_desk" is clinic staff.
ANY_REVIEWER = {"reviewer", "author", "contributor"}
EXPECTED = {
    "draft": {"submit": {"editor", *ANY_REVIEWER}, "archive": ANY_REVIEWER},
    "in_review": {"approve": {"reviewer"}, "reject": ANY_REVIEWER, "archive": ANY_REVIEWER},
    "scheduled": {"reject": ANY_REVIEWER, "archive": ANY_REVIEWER},
    # Approved: the contributor's change is signed off; the author stays the last editor.
    "published": {"approve": {"reviewer", "contributor"}, "archive": ANY_REVIEWER},
    "published_with_unsubmitted_changes": {"archive": ANY_REVIEWER},
    "archived": {"submit": {"editor", *ANY_REVIEWER}},
}
# Reverting to a kept version is open to everyone who may change the page, in any state.
for allowed in EXPECTED.values():
    allowed["revert"] = {"editor", *ANY_REVIEWER}


@pytest.fixture
def people(db):
    return {
        "writer": make_staff("wendy.writer", "Editor"),
        "approver": make_staff("alex.approver", "Clinical reviewer"),
        "editor": make_staff("erin.editor", "Editor"),
        "reviewer": make_staff("rita.reviewer", "Clinical reviewer"),
        "author": make_staff("arthur.author", "Clinical reviewer"),
        "contributor": make_staff("cora.contributor", "Clinical reviewer"),
        "front_desk": make_staff("fran.desk", "Clinic staff"),
    }


def edit(page, user, body):
    page.body = body
    content_record_edit(content=page, by=user)
    page.save()


def page_in(state, people):
    """A live article (version 1), then changed by the contributor and the author, and taken to `state`."""
    page = published(
        new_article(last_edited_by=people["writer"], body="Version one."), people["writer"], people["approver"]
    )
    edit(page, people["contributor"], "Version two, by the contributor.")
    edit(page, people["author"], "Version two, by the contributor and the author.")
    if state == "draft":
        return page
    submitted(page, people["author"])
    if state == "in_review":
        return page
    tomorrow = timezone.now() + timezone.timedelta(days=1)
    approval = {"publish_at": tomorrow} if state == "scheduled" else {}
    content_approve(content=page, by=people["approver"], checked_against=CHECKED, **approval)
    page.refresh_from_db()
    if state == "published_with_unsubmitted_changes":
        Article.objects.filter(pk=page.pk).update(body="Changed behind the workflow's back.")
        page.refresh_from_db()
    if state == "archived":
        content_archive(content=page, by=people["approver"])
        page.refresh_from_db()
    return page


class Undo(Exception):
    pass


@contextlib.contextmanager
def undone():
    """Whatever the block writes is rolled back, so every step is tried on the same page."""
    with contextlib.suppress(Undo), transaction.atomic():
        yield
        raise Undo


def fingerprint(page):
    page = type(page).objects.get(pk=page.pk)
    return (page.status, page.published_version, page.body, page.review_note, page.last_reviewed_at, page.withdrawn_at)


def step_url(page, name):
    return admin_url(page, name, version=1) if name == "revert" else admin_url(page, name)


def post_data(page, name):
    return {"approve": approve_data(page), "reject": {"note": "Check the dose."}}.get(name, {})


def call_service(page, name, user):
    services = {
        "submit": lambda: content_submit_for_review(content=page, by=user),
        "approve": lambda: content_approve(content=page, by=user, checked_against=CHECKED),
        "reject": lambda: content_reject(content=page, by=user, note="Check the dose."),
        "archive": lambda: content_archive(content=page, by=user),
        "revert": lambda: content_revert_to_version(
            content=page, version=content_versions(content=page).get(version=1), by=user
        ),
    }
    services[name]()


@pytest.mark.parametrize("state", EXPECTED)
def test_buttons_views_and_services_agree_with_the_table(state, people):
    page = page_in(state, people)
    assert page.status == {"published_with_unsubmitted_changes": "published"}.get(state, state)
    for role in ROLES:
        user = people[role]
        steps = {step.name: step for step in content_available_steps(content=page, user=user)}
        allowed = {name for name, step in steps.items() if step.allowed}
        assert allowed == {name for name, roles in EXPECTED[state].items() if role in roles}, (state, role)

        client = as_user(user)
        change_page = client.get(admin_url(page, "change"))
        version_page = client.get(admin_url(page, "version", version=1))
        if role == "front_desk":
            assert (change_page.status_code, version_page.status_code) == (403, 403)
        else:
            html = change_page.content.decode() + version_page.content.decode()
            buttons = {name for name in STEP_NAMES if f'href="{step_url(page, name)}"' in html}
            assert buttons == allowed, (state, role)

        for name, step in steps.items():
            where = (state, role, name)
            # The step's page: 403 when it is not the role's job (or the page is not theirs to see), else shown.
            shown = client.get(step_url(page, name)).status_code
            assert shown == (200 if step.permitted and role != "front_desk" else 403), where
            with undone():
                before = fingerprint(page)
                response = client.post(step_url(page, name), post_data(page, name), follow=True)
                assert (fingerprint(page) != before) == step.allowed, where
                if step.permitted and role != "front_desk":
                    assert response.status_code == 200, where  # done, or refused saying why:
                    assert step.allowed or escape(step.reason) in response.content.decode(), where
            if name == "approve":
                assert ApproveForm(approve_data(page), content=page, user=user).is_valid() == step.allowed, where
            with undone():
                try:
                    call_service(type(page).objects.get(pk=page.pk), name, user)
                except ContentWorkflowError as error:
                    assert not step.allowed and str(error) == step.reason, where
                else:
                    assert step.allowed, where


def test_a_refused_step_says_why_and_offers_nothing_to_submit(people):
    page = page_in("draft", people)
    client = as_user(people["reviewer"])
    response = client.get(admin_url(page, "reject"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only pages in review or scheduled can be sent back; this one is “Draft”." in html
    assert 'name="note"' not in html
    followed = client.post(admin_url(page, "reject"), {"note": "Check the dose."}, follow=True)
    assert "Only pages in review or scheduled can be sent back" in followed.content.decode()
    response = client.post(admin_url(page, "approve"), approve_data(page))
    assert response.status_code == 200 and "Only pages in review can be approved" in response.content.decode()
    page.refresh_from_db()
    assert (page.status, page.review_note, page.published_version) == (ContentStatus.DRAFT, "", 1)


def test_the_four_eyes_refusal_is_told_on_the_change_page(people):
    page = page_in("in_review", people)
    html = as_user(people["contributor"]).get(admin_url(page, "change")).content.decode()
    assert "You changed this page since its last approval, so another reviewer must approve it" in html
    assert admin_url(page, "approve") not in html


def test_the_approve_form_validates_with_the_same_rule(people):
    page = page_in("in_review", people)
    refused = ApproveForm(approve_data(page), content=page, user=people["author"])
    assert not refused.is_valid()
    reason = content_step(content=page, user=people["author"], name="approve").reason
    assert refused.non_field_errors() == [reason]
    assert ApproveForm(approve_data(page), content=page, user=people["reviewer"]).is_valid()


def test_the_approve_form_and_the_service_refuse_the_same_input(people):
    page = page_in("in_review", people)
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    form = ApproveForm(approve_data(page, next_review_due=yesterday.isoformat()), content=page, user=people["reviewer"])
    assert form.errors["next_review_due"] == ["Choose a date in the future."]
    with pytest.raises(ContentWorkflowError, match="The next review date must be in the future."):
        content_approve(content=page, by=people["reviewer"], checked_against=CHECKED, next_review_due=yesterday)
    page.refresh_from_db()
    assert page.status == ContentStatus.IN_REVIEW


def test_bulk_actions_are_offered_to_the_roles_the_table_permits(people):
    new_article()
    changelist = changelist_url(Article)
    for role, offered in (("editor", {"submit"}), ("reviewer", {"submit", "archive"})):
        html = as_user(people[role]).get(changelist).content.decode()
        assert ("submit_selected_for_review" in html) == ("submit" in offered)
        assert ("archive_selected" in html) == ("archive" in offered)

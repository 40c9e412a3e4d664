"""Every published version is kept and shown in the admin: the list, each version exactly as patients saw
it, a word diff between any two, and "revert to this version" as a new draft."""

import pytest
from django.urls import reverse

from portal.content.models import ContentStatus, ContentVersion
from portal.content.tests.governance_helpers import (
    CHECKED,
    admin_url,
    as_user,
    edited,
    make_staff,
    new_article,
    new_entry,
    public_article,
    published,
)

V1 = "## Driving\n\nDo not drive on the day of treatment."
V2 = "## Driving\n\nDo not drive until the next day, after a restful sleep."
V3 = "## Driving\n\nDo not drive or use machines until the next day, after a restful sleep."


def approve_text(content, body, *, editor, reviewer):
    published(edited(content, editor, body), editor, reviewer)


@pytest.fixture
def article(editor, reviewer):
    """An article published three times (V1, V2, V3)."""
    article = new_article(body=V1)
    for body in (V1, V2, V3):
        approve_text(article, body, editor=editor, reviewer=reviewer)
    return article


def test_every_published_version_is_kept_with_its_html_and_hash(article):
    versions = list(ContentVersion.objects.for_content(article).order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.body for v in versions] == [V1, V2, V3]
    assert versions[-1].body_html == article.live_html
    assert versions[-1].content_hash == article.content_hash == article.working_hash()
    assert all(v.published_at is not None for v in versions)


def test_the_versions_page_lists_them_with_links_to_each_and_to_the_changes(article, editor):
    response = as_user(editor).get(admin_url(article, "versions"))
    assert response.status_code == 200
    page = response.content.decode()
    for number in (1, 2, 3):
        assert admin_url(article, "version", version=number) in page
    assert f"{admin_url(article, 'compare')}?old=2&amp;new=3" in page
    assert "rita.reviewer" in page and CHECKED in page


def test_the_change_page_links_to_the_versions(article, editor):
    page = as_user(editor).get(admin_url(article, "change")).content.decode()
    assert f'href="{admin_url(article, "versions")}"' in page
    assert "Versions (3)" in page


def test_a_version_page_shows_exactly_what_patients_saw(article, editor):
    response = as_user(editor).get(admin_url(article, "version", version=1))
    assert response.status_code == 200
    version = ContentVersion.objects.for_content(article).get(version=1)
    assert version.body_html in response.content.decode()
    assert as_user(editor).get(admin_url(article, "version", version=9)).status_code == 404


def test_the_diff_between_two_versions_shows_words_added_and_removed(article, editor):
    response = as_user(editor).get(admin_url(article, "compare"), {"old": 1, "new": 3})
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        'Do not drive <del><span class="visually-hidden">Removed: </span>on the day of treatment</del> '
        '<ins><span class="visually-hidden">Added: </span>'
        "or use machines until the next day, after a restful sleep</ins>."
    ) in page
    assert 'Title <span class="diff-counts">no change</span>' in " ".join(page.split())
    assert "##" not in page.split("From Version 1 to Version 3")[1]  # no Markdown shown to the reviewer


def test_the_diff_defaults_to_the_last_two_versions_and_can_compare_with_the_working_copy(article, editor):
    page = as_user(editor).get(admin_url(article, "compare")).content.decode()
    assert "From Version 2 to Version 3" in page
    page = as_user(editor).get(admin_url(article, "compare"), {"old": 3, "new": "draft"}).content.decode()
    assert "From Version 3 to Working copy" in page
    assert as_user(editor).get(admin_url(article, "compare"), {"old": 7, "new": 3}).status_code == 404
    assert as_user(editor).get(admin_url(article, "compare"), {"old": "x", "new": 3}).status_code == 404


def test_revert_makes_a_new_draft_from_an_old_version_and_patients_keep_the_live_one(article, editor):
    client = as_user(editor)
    confirm = client.get(admin_url(article, "revert", version=1))
    assert confirm.status_code == 200
    assert "From the working copy to version 1" in confirm.content.decode()

    client.post(admin_url(article, "revert", version=1))

    article.refresh_from_db()
    assert article.body == V1
    assert article.status == ContentStatus.DRAFT
    assert article.last_edited_by == editor
    assert article.published_version == 3
    live = public_article(article).content.decode()
    assert "use machines" in live


def test_reverting_is_refused_to_staff_who_cannot_change_the_page(article):
    viewer = make_staff("vic.viewer")
    viewer.user_permissions.add(*_perms("view_article"))
    client = as_user(viewer)
    assert client.get(admin_url(article, "versions")).status_code == 200
    assert client.post(admin_url(article, "revert", version=1)).status_code == 403
    article.refresh_from_db()
    assert article.body == V3


def test_faq_entries_keep_versions_too(editor, reviewer):
    entry = new_entry(answer="First answer.")
    approve_text(entry, "First answer.", editor=editor, reviewer=reviewer)
    approve_text(entry, "Second answer.", editor=editor, reviewer=reviewer)
    page = as_user(editor).get(admin_url(entry, "compare"), {"old": 1, "new": 2}).content.decode()
    assert '<del><span class="visually-hidden">Removed: </span>First</del>' in page
    assert '<ins><span class="visually-hidden">Added: </span>Second</ins>' in page
    as_user(editor).post(admin_url(entry, "revert", version=1))
    entry.refresh_from_db()
    assert entry.answer == "First answer." and entry.status == ContentStatus.DRAFT


def test_versions_are_read_only_in_the_admin_even_for_superusers(article, admin_user):
    client = as_user(admin_user)
    version = ContentVersion.objects.for_content(article).first()
    assert client.get(reverse("admin:content_contentversion_changelist")).status_code == 200
    assert client.get(reverse("admin:content_contentversion_add")).status_code == 403
    assert (
        client.post(reverse("admin:content_contentversion_delete", args=[version.pk]), {"post": "yes"}).status_code
        == 403
    )
    change = client.post(reverse("admin:content_contentversion_change", args=[version.pk]), {"title": "Rewritten"})
    assert change.status_code == 403
    version.refresh_from_db()
    assert version.title != "Rewritten"


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=codenames)

"""`manage.py load_demo`: demo pages through the review workflow, one staff account per role, safe to run twice."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content import markdown
from portal.content.models import ContentStatus, ContentVersion
from portal.content.services import content_approve, content_archive, content_record_edit, content_submit_for_review
from portal.demo import (
    SAMPLE_NOTICE,
    demo_article_translations,
    demo_articles,
    demo_faq_topics,
    demo_faq_translations,
)
from portal.reading.models import Patient, Treatment, TreatmentSession

pytestmark = pytest.mark.django_db

ACCOUNT_LINE_RE = re.compile(r"^\s+(editor|reviewer|frontdesk|admin)\s+(\S+)\s+\((.+)\)$", re.M)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs about half a second per password on a small machine; the behaviour is the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def load_demo(settings):
    """Run the command as `make run` does (DEBUG on); return its output."""
    settings.DEBUG = True

    def run(*args):
        out = StringIO()
        call_command("load_demo", *args, stdout=out)
        return out.getvalue()

    return run


def counts():
    user_model = get_user_model()
    return {
        "articles": Article.objects.count(),
        "topics": FaqTopic.objects.count(),
        "entries": FaqEntry.objects.count(),
        "versions": ContentVersion.objects.count(),
        "users": user_model.objects.count(),
        "memberships": user_model.groups.through.objects.count(),
        "treatments": Treatment.objects.count(),
        "patients": Patient.objects.count(),
        "sessions": TreatmentSession.objects.count(),
    }


def printed_passwords(output):
    return {username: password for username, password, _role in ACCOUNT_LINE_RE.findall(output)}


def test_a_second_run_creates_nothing_new_and_publishes_no_new_version(load_demo):
    load_demo()
    first = counts()
    output = load_demo()

    assert counts() == first
    assert first["articles"] == len(demo_articles()) == 3
    assert first["entries"] == sum(len(topic.entries) for topic in demo_faq_topics())
    # Spanish pages: articles, FAQ entries, topic headings (and the English headings they translate).
    translations = len(demo_article_translations()) + sum(len(topic.entries) + 1 for topic in demo_faq_translations())
    # + 1: the small edit of one English entry after its translation (portal.demo.loader.DEMO_OUT_OF_DATE_ENTRY).
    small_edit = 1
    assert first["versions"] == (
        first["articles"] + first["entries"] + translations + len(demo_faq_translations()) + small_edit
    )
    assert first["sessions"] >= 1
    assert set(Article.objects.values_list("published_version", flat=True)) == {1}
    pages = first["articles"] + first["entries"] + translations
    assert f"{pages} pages: 0 created, 0 updated, {pages} unchanged, 0 left as changed in the admin." in output


def test_demo_articles_and_faq_are_live_on_the_public_pages(client, load_demo):
    load_demo()

    listing = client.get(reverse("articles:list")).content.decode()
    for demo in demo_articles():
        assert demo.title in listing
        response = client.get(reverse("articles:detail", kwargs={"slug": demo.slug}))
        assert response.status_code == 200
        page = response.content.decode()
        assert SAMPLE_NOTICE in page
        assert "<table>" in page
        for heading in markdown.render(demo.body).toc:
            assert f'id="{heading["id"]}"' in page
    for topic in demo_faq_topics():
        response = client.get(reverse("faq:topic", kwargs={"slug": topic.slug}))
        assert response.status_code == 200
        page = response.content.decode()
        assert SAMPLE_NOTICE in page
        for entry in topic.entries:
            assert f'id="{entry.slug}"' in page


def test_every_demo_page_is_approved_by_the_reviewer_after_the_editor_wrote_it(load_demo):
    load_demo()

    for content in [*Article.objects.all(), *FaqEntry.objects.all()]:
        assert content.status == ContentStatus.PUBLISHED
        assert content.is_live
        assert content.last_edited_by.get_username() == "editor"
        assert content.approved_by.get_username() == "reviewer"
        assert "SPRAVATO" in content.checked_against or "Clinic practice" in content.checked_against
        assert content.next_review_due is not None
    for version in ContentVersion.objects.all():
        assert (version.edited_by_name, version.approved_by_name) == ("editor", "reviewer")
        assert version.published_at is not None
    for article in Article.objects.all():
        assert article.readability_grade <= 9, f"{article.slug}: grade {article.readability_grade}"


def test_one_staff_account_per_role_with_the_printed_password(load_demo):
    output = load_demo()

    passwords = printed_passwords(output)
    assert set(passwords) == {"editor", "reviewer", "frontdesk", "admin"}
    user_model = get_user_model()
    expected_groups = {"editor": ["Editor"], "reviewer": ["Clinical reviewer"], "frontdesk": ["Clinic staff"]}
    for username, password in passwords.items():
        user = user_model.objects.get(username=username)
        assert user.is_staff and user.is_active
        assert user.check_password(password)
        assert list(user.groups.values_list("name", flat=True)) == expected_groups.get(username, [])
        assert user.is_superuser == (username == "admin")
    assert "http://127.0.0.1:8000/admin/" in output
    assert "http://127.0.0.1:8000/staff/" in output


def test_every_run_gives_the_demo_accounts_new_passwords(load_demo):
    first = printed_passwords(load_demo())
    second = printed_passwords(load_demo())

    editor = get_user_model().objects.get(username="editor")
    assert first["editor"] != second["editor"]
    assert not editor.check_password(first["editor"])
    assert editor.check_password(second["editor"])


def test_a_page_whose_source_changed_is_published_again_as_a_new_version(load_demo):
    load_demo()
    editor, reviewer = (get_user_model().objects.get(username=name) for name in ("editor", "reviewer"))
    article = Article.objects.get(slug="side-effects-and-safety")
    # As an earlier release of the demo would have left it: other text, written and approved the same way.
    article.body = "Older demo text."
    content_record_edit(content=article, by=editor)
    article.save()
    content_submit_for_review(content=article, by=editor)
    content_approve(content=article, by=reviewer, checked_against="Label, 2024")

    output = load_demo()

    article.refresh_from_db()
    assert article.published_version == 3
    assert article.body == next(d.body for d in demo_articles() if d.slug == article.slug)
    assert "Sample content for demonstration" in article.live_html
    assert "'Side effects and safety': source changed, published v3" in output


def test_pages_staff_changed_in_the_admin_are_left_alone(load_demo):
    load_demo()
    user_model = get_user_model()
    other_editor = user_model.objects.create_user("someone", is_staff=True)
    reviewer = user_model.objects.get(username="reviewer")
    article = Article.objects.get(slug="how-spravato-works")
    article.body = "A clinic's own wording, still a draft."
    content_record_edit(content=article, by=other_editor)
    article.save()
    entry = FaqEntry.objects.get(topic__slug="spravato", slug="ketamine")
    content_archive(content=entry, by=reviewer)

    output = load_demo()

    article.refresh_from_db()
    entry.refresh_from_db()
    assert (article.body, article.status, article.published_version) == (
        "A clinic's own wording, still a draft.",
        ContentStatus.DRAFT,
        1,
    )
    assert entry.status == ContentStatus.ARCHIVED and not entry.is_live
    assert "'How Spravato works': left as staff changed it in the admin (live: v1)" in output
    assert "2 left as changed in the admin." in output


def test_it_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="admin").exists()

    call_command("load_demo", "--force", stdout=StringIO())
    assert get_user_model().objects.filter(username="admin", is_superuser=True).exists()


def test_without_the_staff_groups_it_says_to_migrate_and_changes_nothing(load_demo):
    Group.objects.filter(name="Clinical reviewer").delete()

    with pytest.raises(CommandError, match="manage.py migrate"):
        load_demo()
    assert not get_user_model().objects.exists()
    assert not Article.objects.exists()


def test_the_demo_follows_the_review_rules_so_a_reviewer_without_approval_rights_stops_it(load_demo):
    reviewers = Group.objects.get(name="Clinical reviewer")
    reviewers.permissions.remove(Permission.objects.get(content_type__app_label="content", codename="approve_content"))

    with pytest.raises(CommandError, match="Could not publish the demo page “How Spravato works”: .*permission"):
        load_demo()
    assert not Article.objects.exists()
    assert not ContentVersion.objects.exists()

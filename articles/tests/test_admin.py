"""The article admin: the markdownx editor renders (under our CSP), and an article can be written in it."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from articles.models import Article
from portal.content.models import ContentStatus
from portal.content.tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


class _PageAssets(HTMLParser):
    """Collects script/stylesheet sources and anything a strict CSP would block."""

    def __init__(self):
        super().__init__()
        self.scripts, self.stylesheets, self.blocked = [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not attrs.get("src"):
                self.blocked.append("inline <script>")
            self.scripts.append(attrs.get("src"))
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.stylesheets.append(attrs["href"])
        if tag == "style":
            self.blocked.append("<style> element")
        self.blocked += [f"{name}= on <{tag}>" for name in attrs if name == "style" or name.startswith("on")]

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.blocked.append("inline script code")


def page_assets(html):
    parser = _PageAssets()
    parser.feed(html)
    return parser


def assert_markdownx_editor(html, field):
    assert '<div class="markdownx">' in html
    assert f'name="{field}"' in html
    assert "markdownx-editor" in html
    assert f'data-markdownx-urls-path="{settings.MARKDOWNX_URLS_PATH}"' in html
    assert f'data-markdownx-upload-urls-path="{settings.MARKDOWNX_UPLOAD_URLS_PATH}"' in html
    assert '<div class="markdownx-preview"></div>' in html
    assets = page_assets(html)
    markdownx_js = [src for src in assets.scripts if src and src.startswith("/static/markdownx/js/markdownx")]
    markdownx_css = [href for href in assets.stylesheets if href.startswith("/static/markdownx/admin/css/markdownx")]
    assert markdownx_js and markdownx_css
    # The files exist, so the pages load them (whitenoise serves them from the same origin).
    for url in markdownx_js + markdownx_css:
        assert finders.find(url.removeprefix(settings.STATIC_URL if url.startswith("static/") else "/static/"))


def test_add_page_renders_the_markdownx_editor_and_nothing_the_csp_blocks(admin_client):
    response = admin_client.get(reverse("admin:articles_article_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_markdownx_editor(html, "body")
    assert page_assets(html).blocked == []
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert all(src.startswith("/") and not src.startswith("//") for src in page_assets(html).scripts)


def test_change_page_renders_the_markdownx_editor_with_the_current_text(admin_client):
    article = make_article(body="## Current heading\n\nCurrent text.")
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_markdownx_editor(html, "body")
    assert "## Current heading" in html
    assert page_assets(html).blocked == []


def test_change_page_view_on_site_opens_the_staff_preview(admin_client):
    article = make_article(slug="my-draft")
    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert f'href="{reverse("articles:preview", kwargs={"slug": "my-draft"})}"' in html


def test_posting_the_add_form_creates_a_draft_article_rendered_once(admin_client, admin_user):
    body = "## What happens\n\n| Step | Time |\n|---|---|\n| Dose | 0 h |\n\n- one\n- two\n"
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {"title": "Your first visit", "slug": "your-first-visit", "summary": "What to expect.", "body": body},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article = Article.objects.get(slug="your-first-visit")
    assert article.status == ContentStatus.DRAFT
    assert article.last_edited_by == admin_user
    assert '<h2 id="what-happens">What happens</h2>' in article.body_html
    assert "<table>" in article.body_html
    assert article.toc == [{"level": 2, "id": "what-happens", "text": "What happens"}]
    # A draft: not on the public site until approved.
    assert admin_client.get(reverse("articles:detail", kwargs={"slug": "your-first-visit"})).status_code == 404


def test_add_form_refuses_a_duplicate_slug_with_a_message(admin_client):
    make_article(slug="taken")
    response = admin_client.post(
        reverse("admin:articles_article_add"), {"title": "T", "slug": "taken", "summary": "S", "body": "B"}
    )
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_changelist_searches_title_summary_and_body(admin_client):
    make_article(title="Nasal spray basics", body="Mentions the observation period.")
    make_article(title="Something else", body="Unrelated.")
    response = admin_client.get(reverse("admin:articles_article_changelist"), {"q": "observation"})
    assert response.status_code == 200
    titles = [article.title for article in response.context["cl"].result_list]
    assert titles == ["Nasal spray basics"]


def test_editors_can_use_the_admin_but_clinic_staff_cannot_edit_articles(client):
    from django.contrib.auth.models import Group

    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    front_desk = make_user(staff=True)
    front_desk.groups.add(Group.objects.get(name="Clinic staff"))
    client.force_login(front_desk)
    assert client.get(reverse("admin:articles_article_add")).status_code == 403

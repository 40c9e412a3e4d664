"""ReviewedContent.clean(): in the admin, Markdown the renderer refuses, and images patients would not see,
are form errors on the Markdown field (never a 500, never a silent change); nothing is saved."""

import time

import pytest
from django.conf import settings

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content.tests.governance_helpers import add_url, admin_url, as_user, change_form_data, new_article

pytestmark = pytest.mark.django_db


def article_data(body, **fields):
    return {"title": "Your visit", "slug": "your-visit", "summary": "What happens.", "body": body, **fields}


def body_errors(response, field="body"):
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors.get(field, [])


def test_text_that_cannot_be_rendered_in_time_is_a_form_error(editor, settings):
    settings.CONTENT_MARKDOWN_RENDER_SECONDS = 1
    started = time.monotonic()
    response = as_user(editor).post(add_url(Article), article_data("[" * 16_000))  # ~38 s in python-markdown
    assert time.monotonic() - started < 5
    [error] = body_errors(response)
    assert error.startswith("This text could not be rendered in time (1 s). Simplify it")
    assert not Article.objects.exists()


def test_text_over_the_size_limit_is_a_form_error_with_both_sizes(editor):
    body = "Words. " * (settings.CONTENT_MAX_MARKDOWN_BYTES // 7 + 1)  # 102,403 bytes
    assert body_errors(as_user(editor).post(add_url(Article), article_data(body))) == [
        "This text is 100.1 KB; a page can hold at most 100.0 KB. Shorten it or split it into several pages."
    ]
    assert not Article.objects.exists()


def test_a_definition_list_that_used_to_crash_saves(editor):
    response = as_user(editor).post(add_url(Article), article_data("a\n: b\n" * 500))  # a RecursionError before
    assert response.status_code == 302
    assert Article.objects.get().body_html.count("<dt>a</dt>") == 500


def test_an_image_from_elsewhere_on_the_site_is_a_form_error_naming_it(editor):
    body = "Read this.\n\n![Chart](/staff/sessions.csv?date=2026-01-05)"
    [error] = body_errors(as_user(editor).post(add_url(Article), article_data(body)))
    assert error.startswith("1 image (“/staff/sessions.csv?date=2026-01-05”) will not be shown")
    assert not Article.objects.exists()


def test_an_uploaded_image_saves(editor):
    body = "![The treatment room](/media/markdownx/0123456789abcdef0123456789abcdef.jpg)"
    assert as_user(editor).post(add_url(Article), article_data(body)).status_code == 302
    assert 'src="/media/markdownx/0123456789abcdef0123456789abcdef.jpg"' in Article.objects.get().body_html


def test_editing_a_page_keeps_the_old_text_when_the_new_one_is_refused(editor):
    article = new_article(body="## Fine\n\nText.")
    response = as_user(editor).post(admin_url(article, "change"), change_form_data(article, body="[" * 200_000))
    assert "a page can hold at most" in body_errors(response)[0]
    article.refresh_from_db()
    assert article.body == "## Fine\n\nText." and article.body_html.startswith('<h2 id="fine">')


def test_faq_answers_get_the_error_on_their_own_field(editor):
    topic = FaqTopic.objects.create(title="Driving", slug="driving")
    data = {"topic": topic.pk, "question": "Can I drive?", "slug": "can-i-drive", "position": 1,
            "answer": "No.\n\n![x](https://tracker.example/pixel.png)"}  # fmt: skip
    assert "will not be shown" in body_errors(as_user(editor).post(add_url(FaqEntry), data), "answer")[0]
    assert not FaqEntry.objects.exists()

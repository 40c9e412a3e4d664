"""Public article pages show only the live version; staff preview the working copy elsewhere."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from portal.content.models import ContentStatus
from portal.content.services import content_publish
from portal.content.tests.factories import count_queries, get_uncached, make_article, make_user

TABLE_BODY = """Intro paragraph.

## Before your visit

Eat a light meal.

### Food and drink

- No food for 2 hours before
- No drinks for 30 minutes before

## On the day

| Time | What happens |
|------|--------------|
| 0 h  | First dose   |
| 2 h  | You may go home with someone |

![A treatment room](/media/markdownx/room.png)

## On the day

Second section with the same title.
"""


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    caches["pages"].clear()


@pytest.fixture
def staff(db):
    return make_user(staff=True)


def test_article_page_shows_live_version_with_toc_table_list_image_and_reading_time(client, db):
    article = make_article(title="Treatment day", slug="treatment-day", body=TABLE_BODY, publish=True)
    response = client.get(reverse("articles:detail", kwargs={"slug": "treatment-day"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Treatment day</h1>" in html
    # Table of contents from the h2/h3 headings, linking to stable, unique ids.
    assert '<nav class="toc" aria-label="On this page">' in html
    for anchor in ("before-your-visit", "food-and-drink", "on-the-day", "on-the-day-2"):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert '<li class="toc-level-3"><a href="#food-and-drink">Food and drink</a></li>' in html
    assert (
        '<div class="table-scroll" role="region" aria-label="On the day" tabindex="0">'
        '<table><caption class="visually-hidden">On the day</caption>'
    ) in html
    assert "<li>No food for 2 hours before</li>" in html
    assert '<img alt="A treatment room" src="/media/markdownx/room.png">' in html
    assert f"About {article.live_reading_minutes} minute to read" in html


def test_article_page_says_when_it_was_last_reviewed(client, db):
    article = make_article(slug="reviewed")
    content_publish(content=article, by=None, now=timezone.make_aware(datetime.datetime(2026, 3, 4, 12, 0)))
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'Last reviewed <time datetime="2026-03-04">March 4, 2026</time>' in html


def test_reading_time_grows_with_the_text(client, db):
    words = settings.READING_WORDS_PER_MINUTE * 3 + 1
    article = make_article(slug="long", body=" ".join(["word"] * words), publish=True)
    assert article.live_reading_minutes == 4
    assert "About 4 minutes to read" in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("url_name", ["articles:detail", "articles:list"])
def test_never_published_article_is_invisible_to_the_public(client, db, url_name):
    make_article(slug="draft-only", title="Secret draft title", body="Draft body")
    if url_name == "articles:detail":
        response = client.get(reverse(url_name, kwargs={"slug": "draft-only"}))
        assert response.status_code == 404
        assert b"Sorry, we cannot find that page" in response.content
    else:
        assert b"Secret draft title" not in client.get(reverse(url_name)).content


def test_archived_and_expired_articles_are_404(client, db):
    archived = make_article(slug="archived", publish=True)
    Article.objects.filter(pk=archived.pk).update(status=ContentStatus.ARCHIVED)
    expired = make_article(slug="expired", publish=True)
    Article.objects.filter(pk=expired.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(archived.get_absolute_url()).status_code == 404
    assert client.get(expired.get_absolute_url()).status_code == 404
    listing = client.get(reverse("articles:list")).content.decode()
    assert archived.live_title not in listing
    assert expired.live_title not in listing


def test_editing_a_published_article_does_not_change_what_patients_see(client, db):
    article = make_article(title="Approved title", slug="edited", summary="Approved summary", publish=True)
    article.title = "Unapproved title"
    article.summary = "Unapproved summary"
    article.body = "## Unapproved heading\n\nUnapproved text."
    article.status = ContentStatus.DRAFT
    article.save()
    detail = get_uncached(client, article.get_absolute_url()).content.decode()
    listing = get_uncached(client, reverse("articles:list")).content.decode()
    for html in (detail, listing):
        assert "Approved title" in html
        assert "Unapproved" not in html
    assert "Approved summary" in listing


def test_article_list_shows_published_articles_by_title_with_summary(client, db):
    make_article(title="B second", slug="b", summary="About B.", publish=True)
    make_article(title="A first", slug="a", summary="About A.", publish=True)
    html = client.get(reverse("articles:list")).content.decode()
    assert html.index("A first") < html.index("B second")
    assert "About A." in html
    assert 'href="/articles/a/"' in html


def test_empty_article_list_says_so(client, db):
    assert b"There are no articles yet" in client.get(reverse("articles:list")).content


# Staff preview --------------------------------------------------------------------------------


def test_preview_shows_the_working_copy_of_a_draft_with_a_clear_banner(client, staff):
    article = make_article(title="Draft title", slug="draft", body="## Draft heading\n\nDraft words.")
    client.force_login(staff)
    response = client.get(reverse("articles:preview", kwargs={"slug": "draft"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not what patients see" in html
    assert "Patients cannot see it: it is not published." in html
    assert "<h1>Draft title</h1>" in html
    assert '<h2 id="draft-heading">Draft heading</h2>' in html
    assert reverse("admin:articles_article_change", args=[article.pk]) in html


def test_preview_of_a_published_article_shows_the_unapproved_edit_and_links_to_the_live_page(client, staff):
    article = make_article(title="Live title", slug="live", publish=True)
    article.title = "Edited title"
    article.save()
    client.force_login(staff)
    html = client.get(reverse("articles:preview", kwargs={"slug": "live"})).content.decode()
    assert "<h1>Edited title</h1>" in html
    assert "which differs from this working copy" in html
    assert f'<a href="{article.get_absolute_url()}">open the live page</a>' in html


def test_preview_is_never_cached(client, staff):
    make_article(slug="draft")
    client.force_login(staff)
    response = client.get(reverse("articles:preview", kwargs={"slug": "draft"}))
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private"):
        assert directive in cache_control


def test_preview_warns_when_the_clinical_review_is_overdue(client, staff):
    due = timezone.localdate() - datetime.timedelta(days=1)
    overdue = make_article(slug="overdue", publish=True)
    Article.objects.filter(pk=overdue.pk).update(next_review_due=due)
    make_article(slug="current", publish=True)  # approval sets the next review a year ahead
    client.force_login(staff)
    overdue = client.get(reverse("articles:preview", kwargs={"slug": "overdue"})).content.decode()
    current = client.get(reverse("articles:preview", kwargs={"slug": "current"})).content.decode()
    assert "Clinical review overdue." in overdue
    assert f'<time datetime="{due:%Y-%m-%d}">' in overdue
    assert "Clinical review overdue." not in current


def test_preview_sends_visitors_to_the_login_page(client, db):
    make_article(slug="draft")
    url = reverse("articles:preview", kwargs={"slug": "draft"})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_preview_is_forbidden_to_logged_in_non_staff(client, db):
    make_article(slug="draft")
    client.force_login(make_user(staff=False))
    response = client.get(reverse("articles:preview", kwargs={"slug": "draft"}))
    assert response.status_code == 403
    assert b"Sorry, you cannot open this page" in response.content


def test_preview_of_a_missing_article_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("articles:preview", kwargs={"slug": "nope"})).status_code == 404


# Queries -------------------------------------------------------------------------------------


def test_article_list_makes_the_same_queries_however_many_articles(client, db, django_assert_num_queries):
    make_article(publish=True)
    url = reverse("articles:list")
    client.get(url)  # the page cache creates its shared generation once
    baseline = count_queries(client, url)
    assert baseline <= 2  # page-cache generation + the articles
    for _ in range(15):
        make_article(publish=True)
    caches["pages"].clear()
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["articles"]) == 16


def test_article_detail_makes_the_same_queries_however_long_and_however_many(client, db, django_assert_num_queries):
    first = make_article(publish=True)
    client.get(first.get_absolute_url())
    baseline = count_queries(client, first.get_absolute_url())
    assert baseline <= 2  # page-cache generation + the article
    long_one = make_article(body=TABLE_BODY * 5, publish=True)
    for _ in range(10):
        make_article(publish=True)
    caches["pages"].clear()
    with django_assert_num_queries(baseline):
        assert client.get(long_one.get_absolute_url()).status_code == 200

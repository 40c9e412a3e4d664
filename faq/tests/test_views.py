"""FAQ pages: every published question as a <details> with its own anchor; staff preview drafts."""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from faq.models import FaqEntry
from portal.content.models import ContentStatus
from portal.content.services import content_publish
from portal.content.tests.factories import count_queries, make_entry, make_topic, make_user


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    caches["pages"].clear()


@pytest.fixture
def topic(db):
    return make_topic(title="Spravato", slug="spravato", intro="Questions about Spravato nasal spray.")


@pytest.fixture
def staff(db):
    return make_user(staff=True)


def test_topic_page_shows_each_published_question_as_details_with_its_own_anchor_link(client, topic):
    make_entry(topic=topic, slug="driving", question="Can I drive home?", answer="No. **Not** until the next day.",
               position=2, publish=True)  # fmt: skip
    make_entry(topic=topic, slug="food", question="Can I eat before?", answer="Eat lightly.", position=1, publish=True)
    html = client.get(reverse("faq:topic", kwargs={"slug": "spravato"})).content.decode()
    assert "<h1>Spravato</h1>" in html
    assert "Questions about Spravato nasal spray." in html
    assert '<details class="faq-entry" id="driving">' in html
    assert '<summary><span class="faq-question">Can I drive home?</span></summary>' in html
    assert "<p>No. <strong>Not</strong> until the next day.</p>" in html
    assert '<a class="faq-permalink" href="#driving">Link to this question' in html
    # Ordered by position, then the script that opens the linked question.
    assert html.index('id="food"') < html.index('id="driving"')
    assert '<script src="/static/faq/faq.js" defer></script>' in html


def test_topic_page_says_when_its_questions_were_last_reviewed(client, topic):
    older = make_entry(topic=topic)
    newer = make_entry(topic=topic)
    content_publish(content=older, by=None, now=timezone.make_aware(datetime.datetime(2026, 1, 10, 12)))
    content_publish(content=newer, by=None, now=timezone.make_aware(datetime.datetime(2026, 2, 20, 12)))
    html = client.get(topic.get_absolute_url()).content.decode()
    assert 'Last reviewed <time datetime="2026-02-20">February 20, 2026</time>' in html
    assert 'Last reviewed <time datetime="2026-01-10">January 10, 2026</time>' in html  # on the older entry


def test_index_lists_topics_with_their_published_questions_only(client, topic):
    make_entry(topic=topic, slug="live-q", question="Live question?", publish=True)
    make_entry(topic=topic, slug="draft-q", question="Draft question?")
    empty = make_topic(title="Empty topic", slug="empty")
    make_entry(topic=empty, question="Only a draft?")
    html = client.get(reverse("faq:index")).content.decode()
    assert "Live question?" in html
    assert "Draft question?" not in html
    assert "Empty topic" not in html
    # On the index, ids carry the topic (two topics may use the same question slug); the link
    # goes to the question on its own topic page.
    assert '<details class="faq-entry" id="spravato--live-q">' in html
    assert '<a class="faq-permalink" href="/faq/spravato/#live-q">' in html


def test_index_without_questions_says_so(client, db):
    assert b"There are no questions here yet" in client.get(reverse("faq:index")).content


def test_topic_without_published_questions_is_404(client, topic):
    make_entry(topic=topic)
    assert client.get(topic.get_absolute_url()).status_code == 404
    assert client.get(reverse("faq:topic", kwargs={"slug": "missing"})).status_code == 404


def test_topic_page_shows_the_live_answer_not_the_working_copy(client, topic):
    entry = make_entry(topic=topic, question="Approved question?", answer="Approved answer.", publish=True)
    entry.question = "Edited question?"
    entry.answer = "Edited answer."
    entry.save()
    archived = make_entry(topic=topic, question="Archived question?", publish=True)
    FaqEntry.objects.filter(pk=archived.pk).update(status=ContentStatus.ARCHIVED)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Approved question?" in html
    assert "Approved answer." in html
    assert "Edited" not in html
    assert "Archived question?" not in html


# Staff preview --------------------------------------------------------------------------------


def test_topic_preview_shows_every_working_copy_with_its_status(client, topic, staff):
    make_entry(topic=topic, question="Draft question?", answer="Draft answer.")
    client.force_login(staff)
    response = client.get(reverse("faq:topic_preview", kwargs={"slug": "spravato"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: not what patients see" in html
    assert "Draft question?" in html
    assert "Draft answer." in html
    assert '<span class="badge">Draft</span>' in html
    assert "no-store" in response["Cache-Control"]


def test_entry_preview_shows_one_working_copy_open_with_the_overdue_warning(client, topic, staff):
    entry = make_entry(topic=topic, slug="q", question="Live?", publish=True)
    entry.next_review_due = timezone.localdate() - datetime.timedelta(days=3)
    entry.answer = "A new answer waiting for review."
    entry.save()
    client.force_login(staff)
    response = client.get(reverse("faq:entry_preview", kwargs={"topic": "spravato", "slug": "q"}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview: not what patients see" in html
    assert '<details class="faq-entry" id="q" open>' in html
    assert "A new answer waiting for review." in html
    assert "Clinical review overdue." in html
    assert f'<a href="{entry.get_absolute_url()}">open the live page</a>' in html
    assert reverse("admin:faq_faqentry_change", args=[entry.pk]) in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["topic_preview", "entry_preview"])
def test_previews_are_for_staff_only(client, topic, name):
    make_entry(topic=topic, slug="q")
    kwargs = {"slug": "spravato"} if name == "topic_preview" else {"topic": "spravato", "slug": "q"}
    url = reverse(f"faq:{name}", kwargs=kwargs)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user(staff=False))
    assert client.get(url).status_code == 403


def test_entry_preview_of_a_missing_question_is_404(client, topic, staff):
    client.force_login(staff)
    assert client.get(reverse("faq:entry_preview", kwargs={"topic": "spravato", "slug": "nope"})).status_code == 404


# Queries -------------------------------------------------------------------------------------


def test_faq_index_makes_the_same_queries_however_many_topics_and_questions(client, topic, django_assert_num_queries):
    make_entry(topic=topic, publish=True)
    url = reverse("faq:index")
    client.get(url)
    baseline = count_queries(client, url)
    assert baseline <= 3  # page-cache generation + topics + their entries
    for _ in range(4):
        other = make_topic()
        for _ in range(5):
            make_entry(topic=other, publish=True)
    caches["pages"].clear()
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('class="faq-entry"') == 21


def test_faq_topic_makes_the_same_queries_however_many_questions(client, topic, django_assert_num_queries):
    make_entry(topic=topic, publish=True)
    url = topic.get_absolute_url()
    client.get(url)
    baseline = count_queries(client, url)
    assert baseline <= 3
    for _ in range(20):
        make_entry(topic=topic, publish=True)
    caches["pages"].clear()
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.content.decode().count('class="faq-entry"') == 21

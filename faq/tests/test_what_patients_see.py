"""Every field a public or patient page prints, and where a page is found, reaches patients only through review.

The walk: render every public and patient page; then, as an editor, change each field the admin lets an editor
change (articles, FAQ entries, FAQ topics and their reviewed headings), one at a time, through the admin forms;
after each change every page must read exactly as before. Every other model field must be written only by the
review workflow (live copies and their bookkeeping) or be fixed once published (addresses, a topic's heading):
a new field nobody classified fails the walk. Then approvals, and only approvals, change the pages.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from faq.models import FaqEntry, FaqTopic, FaqTopicHeading
from faq.services import faq_topic_heading_for_change
from faq.tests.admin_forms import change_form_data
from portal.content.frozen import FrozenFieldError
from portal.content.models import ReviewedContent
from portal.content.services import content_approve, content_submit_for_review
from portal.content.tests.factories import clear_page_cache, make_article, make_entry, make_topic
from portal.content.tests.governance_helpers import CHECKED, admin_url, as_user
from portal.reading.tests.factories import make_session, make_treatment, open_link

pytestmark = pytest.mark.django_db

# What every reviewed page has (ReviewedContent): the live copy and the workflow's bookkeeping, written by the
# review workflow (portal.content.services) or set by the reviewer on the approve page; read-only in the admin.
WORKFLOW_FIELDS = {field.name for field in ReviewedContent._meta.local_fields} | {"id"}
PAGE_VERSION_FIELDS = {"id", "published_version", "material_version", "content_hash", "live_word_count"}
CLASSIFIED = {
    Article: WORKFLOW_FIELDS | {"live_summary"},
    FaqEntry: WORKFLOW_FIELDS,
    FaqTopicHeading: WORKFLOW_FIELDS | {"topic", "live_intro"},
    FaqTopic: PAGE_VERSION_FIELDS,  # rise with each approval of its questions or heading (FaqTopic.refresh_live_state)
}
# Only the order of questions (of topics) on a page: the same text, in another order (no review).
ORDER_FIELDS = {(FaqEntry, "position"), (FaqTopic, "position")}
CSRF_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
# The signed "shown" record of a patient page carries the time it was rendered (portal/reading/shown.py).
SHOWN_RE = re.compile(r'((?:name="shown" value=|data-progress-shown=)")[^"]+"')


@pytest.fixture
def site(editor, reviewer):
    """A published article and an FAQ topic with two published questions, on a patient's reading list."""
    article = make_article(
        title="Your treatment day", slug="treatment-day", summary="What happens.", body="Stay two hours.", publish=True
    )
    topic = make_topic(title="Spravato", slug="spravato", intro="About the nasal spray.")
    first = make_entry(topic=topic, question="Can I drive?", slug="drive", answer="No.", position=1, publish=True)
    make_entry(topic=topic, question="Can I eat?", slug="eat", answer="Lightly.", position=2, publish=True)
    topic.refresh_from_db()
    heading = faq_topic_heading_for_change(topic=topic)
    session, token = make_session(treatment=make_treatment(article, topic))
    patient = Client()
    open_link(patient, token)
    items = list(session.items.order_by("position"))
    pages = {
        "home": (Client(), reverse("home")),
        "article list": (Client(), reverse("articles:list")),
        "article": (Client(), reverse("articles:detail", kwargs={"slug": "treatment-day"})),
        "faq index": (Client(), reverse("faq:index")),
        "faq topic": (Client(), reverse("faq:topic", kwargs={"slug": "spravato"})),
        "search": (Client(), reverse("search") + "?q=drive"),
        "search article": (Client(), reverse("search") + "?q=hours"),
        "reading list": (patient, reverse("patient:session")),
        **{f"reading page {n}": (patient, reverse("patient:item", kwargs={"pk": i.pk})) for n, i in enumerate(items)},
    }
    render(pages)  # opening the reading pages once changes the reading list (in progress): settle that first
    return {"pages": pages, Article: article, FaqEntry: first, FaqTopic: topic, FaqTopicHeading: heading}


def render(pages):
    output = {}
    for name, (client, url) in pages.items():
        clear_page_cache()
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        output[name] = SHOWN_RE.sub(r"\1…", CSRF_RE.sub(r"\1…", response.content.decode()))
    return output


def changed_value(value):
    return value + 100 if isinstance(value, int) else f"{value}-changed"


def valid_teach_back(obj):
    """Teach-back questions must parse (portal.content.teachback); the page's own title is a section they may name."""
    return f"? Is this clear?\n+ Yes\n- No\n= It says so.\n# {obj.working_title}"


def editor_fields(client, obj):
    response = client.get(admin_url(obj, "change"))
    assert response.status_code == 200
    return list(response.context["adminform"].form.fields), response


def same_text_in_any_order(before, after):
    return sorted(before.split("\n")) == sorted(after.split("\n"))


def test_no_field_an_editor_can_change_reaches_a_public_or_patient_page_without_review(site, editor):
    pages = site["pages"]
    expected = render(pages)
    client = as_user(editor)
    walked = set()
    for model in (Article, FaqEntry, FaqTopic, FaqTopicHeading):
        obj = site[model]
        fields, _response = editor_fields(client, obj)
        concrete = {field.name for field in model._meta.concrete_fields}
        unclassified = concrete - set(fields) - set(getattr(model, "frozen_fields", ())) - CLASSIFIED[model]
        assert not unclassified, f"{model.__name__}: say who may change {sorted(unclassified)} (see this module)"
        for name in fields:
            _fields, response = editor_fields(client, obj)
            data = change_form_data(response)
            data[name] = changed_value(data[name]) if name != "teach_back" else valid_teach_back(obj)
            if name != "teach_back" and "teach_back" in data:
                data["teach_back"] = ""  # questions name the title: they would not follow a changed one
            saved = client.post(admin_url(obj, "change"), data)
            assert saved.status_code == 302, (model.__name__, name, saved.context["adminform"].form.errors)
            obj.refresh_from_db()
            output = render(pages)
            for page, html in output.items():
                if (model, name) in ORDER_FIELDS:
                    assert same_text_in_any_order(expected[page], html), (model.__name__, name, page)
                else:
                    assert html == expected[page], f"{model.__name__}.{name} changed “{page}” without review"
            expected = output
            walked.add((model.__name__, name))
    # The walk saw the fields that patients read, as an editor types them.
    assert {("Article", "title"), ("Article", "summary"), ("Article", "body")} <= walked
    assert {("FaqEntry", "question"), ("FaqEntry", "answer"), ("FaqEntry", "position")} <= walked
    assert {("FaqTopicHeading", "title"), ("FaqTopicHeading", "intro"), ("FaqTopic", "position")} <= walked


def test_addresses_and_a_topics_heading_are_fixed_once_published_and_the_model_refuses_a_change(site, editor):
    client = as_user(editor)
    for model, frozen in ((Article, {"slug"}), (FaqEntry, {"topic", "slug"}), (FaqTopic, {"slug", "title", "intro"})):
        obj = site[model]
        fields, response = editor_fields(client, obj)
        assert not frozen & set(fields), model
        page = response.content.decode()
        assert "fixed once" in page or "changes only through review" in page
        for name in frozen:
            other = make_topic() if name == "topic" else f"{getattr(obj, name)}-moved"
            setattr(obj, name, other)
            with pytest.raises(FrozenFieldError, match="cannot change once patients have seen this page"):
                obj.save()
            obj.refresh_from_db()


def test_approvals_and_only_approvals_change_what_patients_read(site, editor, reviewer):
    pages = site["pages"]
    before = render(pages)
    client = as_user(editor)
    for obj, name, value in (
        (site[Article], "title", "Your treatment day, step by step"),
        (site[FaqTopicHeading], "title", "Spravato nasal spray"),
        (site[FaqTopicHeading], "intro", "Answers about the nasal spray."),
    ):
        _fields, response = editor_fields(client, obj)
        data = change_form_data(response)
        data[name] = value
        assert client.post(admin_url(obj, "change"), data).status_code == 302
    assert render(pages) == before

    for obj in (site[Article], site[FaqTopicHeading]):
        obj.refresh_from_db()
        content_submit_for_review(content=obj, by=editor)
        content_approve(content=obj, by=reviewer, checked_against=CHECKED)
    after = render(pages)
    assert "Your treatment day, step by step" in after["article"] and "step by step" in after["reading page 0"]
    for page in ("faq topic", "faq index", "home", "reading list", "reading page 1"):
        assert "Spravato nasal spray" in after[page], page
    assert "Answers about the nasal spray." in after["faq topic"] and "Answers about" in after["reading page 1"]
    assert "Question · Spravato nasal spray" in after["search"]

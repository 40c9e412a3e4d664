"""The FAQ admin: the markdownx editor for answers, and question order edited in lists and inlines."""

import pytest
from django.urls import reverse

from articles.tests.test_admin import assert_markdownx_editor, page_assets
from faq.models import FaqEntry
from portal.content.models import ContentStatus
from portal.content.tests.factories import make_entry, make_topic

pytestmark = pytest.mark.django_db


def test_entry_add_page_renders_the_markdownx_editor(admin_client):
    response = admin_client.get(reverse("admin:faq_faqentry_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_markdownx_editor(html, "answer")
    assert page_assets(html).blocked == []


def test_entry_change_page_renders_the_markdownx_editor_and_links_to_its_preview(admin_client):
    topic = make_topic(slug="spravato")
    entry = make_entry(topic=topic, slug="driving", answer="Not until the **next day**.")
    response = admin_client.get(reverse("admin:faq_faqentry_change", args=[entry.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert_markdownx_editor(html, "answer")
    assert "Not until the **next day**." in html
    assert f'href="{reverse("faq:entry_preview", kwargs={"topic": "spravato", "slug": "driving"})}"' in html


def test_posting_the_entry_add_form_creates_a_draft_question(admin_client, admin_user):
    topic = make_topic()
    response = admin_client.post(
        reverse("admin:faq_faqentry_add"),
        {"topic": topic.pk, "question": "Can I drive?", "slug": "can-i-drive", "answer": "No.", "position": 3},
    )
    assert response.status_code == 302
    entry = FaqEntry.objects.get(slug="can-i-drive")
    assert (entry.topic, entry.position, entry.status) == (topic, 3, ContentStatus.DRAFT)
    assert entry.body_html == "<p>No.</p>"
    assert entry.last_edited_by == admin_user


def test_topic_add_page_and_post(admin_client):
    assert admin_client.get(reverse("admin:faq_faqtopic_add")).status_code == 200
    response = admin_client.post(
        reverse("admin:faq_faqtopic_add"),
        {
            "title": "Spravato",
            "slug": "spravato",
            "intro": "About the nasal spray.",
            "position": 1,
            "entries-TOTAL_FORMS": 0,
            "entries-INITIAL_FORMS": 0,
            "entries-MIN_NUM_FORMS": 0,
            "entries-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302


def _inline_post_data(response, positions):
    """The topic change form as the browser would send it, with new positions for its questions."""
    form = response.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    formset = response.context["inline_admin_formsets"][0].formset
    management = formset.management_form
    data.update({f"{formset.prefix}-{name}": management[name].value() for name in management.fields})
    for index, inline_form in enumerate(formset.forms):
        entry = inline_form.instance
        data[f"{formset.prefix}-{index}-id"] = entry.pk
        data[f"{formset.prefix}-{index}-topic"] = entry.topic_id
        data[f"{formset.prefix}-{index}-position"] = positions[entry.slug]
    return data


def test_topic_change_page_lists_its_questions_in_order_and_reorders_them(admin_client, client):
    topic = make_topic(slug="spravato")
    make_entry(topic=topic, slug="first", question="First?", position=1, publish=True)
    make_entry(topic=topic, slug="second", question="Second?", position=2, publish=True)
    url = reverse("admin:faq_faqtopic_change", args=[topic.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    assert html.index("First?") < html.index("Second?")
    assert f'href="{reverse("faq:topic_preview", kwargs={"slug": "spravato"})}"' in html

    response = admin_client.post(url, _inline_post_data(response, {"first": 20, "second": 10}))
    assert response.status_code == 302
    page = client.get(topic.get_absolute_url()).content.decode()
    assert page.index('id="second"') < page.index('id="first"')


def test_entry_changelist_edits_positions_in_the_list(admin_client):
    topic = make_topic()
    one = make_entry(topic=topic, position=1)
    two = make_entry(topic=topic, position=2)
    url = reverse("admin:faq_faqentry_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert 'name="form-0-position"' in response.content.decode()
    rows = list(response.context["cl"].result_list)
    assert rows == [one, two]
    data = {"form-TOTAL_FORMS": 2, "form-INITIAL_FORMS": 2, "_save": "Save"}
    for index, entry in enumerate(rows):
        data[f"form-{index}-id"] = entry.pk
        data[f"form-{index}-position"] = {one.pk: 5, two.pk: 4}[entry.pk]
    assert admin_client.post(url, data).status_code == 302
    assert list(FaqEntry.objects.order_by("position").values_list("pk", flat=True)) == [two.pk, one.pk]


def test_entry_changelist_filters_by_topic_and_searches_answers(admin_client):
    spravato, other = make_topic(), make_topic()
    wanted = make_entry(topic=spravato, answer="You will be observed for two hours.")
    make_entry(topic=other, answer="You will be observed too.")
    make_entry(topic=spravato, answer="Nothing about it.")
    response = admin_client.get(
        reverse("admin:faq_faqentry_changelist"), {"topic__id__exact": spravato.pk, "q": "observed"}
    )
    assert list(response.context["cl"].result_list) == [wanted]

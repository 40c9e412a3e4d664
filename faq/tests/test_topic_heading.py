"""Where patients find a page is fixed once published; a topic's title and introduction change only through review."""

import pytest
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse

from articles.models import Article
from faq.models import FaqEntry, FaqTopic, FaqTopicHeading
from faq.tests.admin_forms import change_form_data
from portal.content.frozen import FrozenFieldError
from portal.content.models import ContentStatus, ContentVersion
from portal.content.services import content_submit_for_review
from portal.content.tests.factories import get_uncached, make_article, make_entry, make_topic
from portal.content.tests.governance_helpers import admin_url, approve_data, as_user, make_staff
from portal.reading.tests.factories import make_session, make_treatment, open_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    topic = make_topic(title="Spravato", slug="spravato", intro="About the nasal spray.")
    make_entry(topic=topic, slug="driving", question="Can I drive?", publish=True)
    topic.refresh_from_db()
    return topic


def topic_page(topic):
    """The public topic page, as a patient gets it (never a cached copy)."""
    return get_uncached(Client(), reverse("faq:topic", kwargs={"slug": topic.slug})).content.decode()


def heading_change(editor, topic, **changes):
    """The editor follows “Change the title or introduction (reviewed)” and saves `changes` there."""
    client = as_user(editor)
    response = client.get(reverse("admin:faq_faqtopic_heading", args=[topic.pk]))
    heading = FaqTopicHeading.objects.get(topic=topic)
    assert response.status_code == 302 and response["Location"] == admin_url(heading, "change")
    data = {"title": heading.title, "intro": heading.intro, **changes}
    assert client.post(admin_url(heading, "change"), data).status_code == 302
    heading.refresh_from_db()
    return heading


def test_a_published_topics_title_intro_and_address_are_read_only_with_a_way_to_change_them(topic, editor):
    client = as_user(editor)
    response = client.get(admin_url(topic, "change"))
    form = response.context["adminform"].form
    assert not {"title", "intro", "slug"} & set(form.fields)
    page = response.content.decode()
    assert "changes only through review" in page and "It is fixed once a question of the topic is published" in page
    assert reverse("admin:faq_faqtopic_heading", args=[topic.pk]) in page

    # A form posted with another title (a stale page, a crafted request) changes only what the form offers.
    data = {**change_form_data(response), "title": "Changed", "intro": "Changed.", "slug": "moved", "position": 7}
    assert client.post(admin_url(topic, "change"), data).status_code == 302
    topic.refresh_from_db()
    assert (topic.title, topic.intro, topic.slug, topic.position) == (
        "Spravato",
        "About the nasal spray.",
        "spravato",
        7,
    )


def test_a_topic_nobody_has_seen_is_edited_freely(editor):
    draft = make_topic(title="Draft topic", slug="draft-topic")
    make_entry(topic=draft)  # not published
    client = as_user(editor)
    response = client.get(admin_url(draft, "change"))
    assert {"title", "intro", "slug"} <= set(response.context["adminform"].form.fields)
    data = {**change_form_data(response), "title": "Renamed", "slug": "renamed"}
    assert client.post(admin_url(draft, "change"), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.slug) == ("Renamed", "renamed")
    # The review link is not needed yet: it sends the editor back, and makes nothing.
    response = client.get(reverse("admin:faq_faqtopic_heading", args=[draft.pk]), follow=True)
    assert "Nobody has seen this topic yet" in response.content.decode()
    assert not FaqTopicHeading.objects.exists()


def test_a_new_title_and_introduction_reach_patients_only_when_a_second_person_approves_them(topic, editor, reviewer):
    session, token = make_session(treatment=make_treatment(topic))
    patient = Client()
    open_link(patient, token)
    item = session.items.get()
    version = topic.published_version

    heading = heading_change(editor, topic, title="Spravato nasal spray", intro="Answers before your first dose.")
    # Version 1 is what patients saw; the change is a draft, patients see no difference.
    assert [v.title for v in ContentVersion.objects.for_content(heading).order_by("version")] == ["Spravato"]
    assert heading.status == ContentStatus.DRAFT and heading.last_edited_by == editor
    assert "<h1>Spravato</h1>" in topic_page(topic)
    assert "About the nasal spray." in patient.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    preview = as_user(editor).get(reverse("faq:topic_preview", kwargs={"slug": "spravato"})).content.decode()
    assert "<h1>Spravato nasal spray</h1>" in preview and "Answers before your first dose." in preview

    content_submit_for_review(content=heading, by=editor)
    heading.refresh_from_db()
    approve = as_user(reviewer).get(admin_url(heading, "approve"))
    assert approve.status_code == 200
    assert '<ins><span class="visually-hidden">Added: </span>nasal spray</ins>' in approve.content.decode()
    data = approve_data(heading, material_change="on")
    assert as_user(reviewer).post(admin_url(heading, "approve"), data).status_code == 302

    topic.refresh_from_db()
    assert (topic.title, topic.intro) == ("Spravato nasal spray", "Answers before your first dose.")
    assert topic.published_version == version + 1 and topic.material_version == version + 1
    assert "<h1>Spravato nasal spray</h1>" in topic_page(topic)
    reading = patient.get(reverse("patient:item", kwargs={"pk": item.pk})).content.decode()
    assert "<h1>Spravato nasal spray</h1>" in reading and "Answers before your first dose." in reading
    item.refresh_from_db()
    assert item.current_material_version == topic.material_version  # upcoming sessions read it again


def test_the_heading_is_made_once_and_only_for_staff_who_may_change_topics(topic, editor):
    for _ in range(2):
        as_user(editor).get(reverse("admin:faq_faqtopic_heading", args=[topic.pk]))
    assert FaqTopicHeading.objects.filter(topic=topic).count() == 1
    heading = FaqTopicHeading.objects.get()
    front_desk = make_staff("front.desk", "Clinic staff")
    assert as_user(front_desk).get(admin_url(heading, "change")).status_code == 403
    as_user(front_desk).get(reverse("admin:faq_faqtopic_heading", args=[topic.pk]))
    heading.refresh_from_db()
    assert heading.status == ContentStatus.PUBLISHED  # nothing changed
    assert as_user(editor).get(reverse("admin:faq_faqtopicheading_add")).status_code == 403


def test_a_published_question_stays_on_its_topic_and_at_its_anchor(topic, editor):
    entry = FaqEntry.objects.get(slug="driving")
    other = make_topic(slug="other")
    client = as_user(editor)
    response = client.get(admin_url(entry, "change"))
    assert not {"topic", "slug"} & set(response.context["adminform"].form.fields)
    assert "fixed once the question is first published" in response.content.decode()
    data = {"topic": other.pk, "slug": "moved", "question": "Can I drive home?", "answer": entry.answer, "position": 1}
    assert client.post(admin_url(entry, "change"), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.topic, entry.slug, entry.question) == (topic, "driving", "Can I drive home?")


def test_a_published_articles_address_is_read_only_and_a_form_that_offers_it_gets_a_field_error(editor):
    article = make_article(slug="treatment-day", publish=True)
    response = as_user(editor).get(admin_url(article, "change"))
    assert "slug" not in response.context["adminform"].form.fields
    assert "links patients were given keep working" in response.content.decode()
    form_class = modelform_factory(Article, fields=["title", "slug", "summary", "body"])
    form = form_class({"title": "T", "slug": "moved", "summary": "S", "body": "B"}, instance=article)
    assert not form.is_valid()
    assert "cannot change once patients have seen this page" in form.errors["slug"][0]
    unpublished = make_article(slug="draft-article")
    form = form_class({"title": "T", "slug": "draft-moved", "summary": "S", "body": "B"}, instance=unpublished)
    assert form.is_valid()


def test_the_topic_model_refuses_a_heading_change_from_any_other_path(topic):
    topic.title = "Changed in the shell"
    with pytest.raises(FrozenFieldError, match="cannot change once patients have seen this page"):
        topic.save()
    topic.refresh_from_db()
    topic.position = 3
    topic.save()  # not frozen
    assert FaqTopic.objects.get(pk=topic.pk).title == "Spravato"


def test_a_topic_heading_offers_no_archive_step_and_the_service_refuses_it(editor, reviewer):
    from faq.services import faq_topic_heading_for_change
    from portal.content.services import content_archive
    from portal.content.workflow import ContentWorkflowError, content_step

    topic = make_topic(title="Spravato", slug="spravato-archive", intro="About it.")
    make_entry(topic=topic, question="Can I drive?", slug="drive", answer="No.", publish=True)
    topic.refresh_from_db()
    heading = faq_topic_heading_for_change(topic=topic)

    step = content_step(content=heading, user=reviewer, name="archive")
    assert not step.allowed
    assert "cannot be taken away from patients" in step.reason
    with pytest.raises(ContentWorkflowError, match="cannot be taken away"):
        content_archive(content=heading, by=reviewer)

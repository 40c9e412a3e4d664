"""Data for the end-to-end and fault tests, made through the same services the product uses."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content.services import content_publish
from portal.reading.models import Patient, ReadingListItem, Treatment
from portal.reading.services.sessions import session_create, session_issue_link

PASSWORD = "e2e-Correct-Horse-Battery-7"
# Distinctive, so that a search of every log line for them cannot miss or match by chance.
PATIENT_NAME = "Zephyrine Quillfeather"
PATIENT_REFERENCE = "MRN-E2E-40917"


@dataclass
class Clinic:
    editor: object
    reviewer: object
    front_desk: object
    article: object
    second_article: object
    faq_topic: object
    treatment: object
    patient: object
    session: object
    token: str
    items: list = field(default_factory=list)


def staff_user(username, group_name):
    """A staff member in one of the groups made by portal's staff-groups migration."""
    group = Group.objects.get(name=group_name)
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    return user


def published_article(*, title, slug, summary, body, by=None):
    article = Article.objects.create(title=title, slug=slug, summary=summary, body=body)
    return content_publish(content=article, by=by, material_change=True)


def published_faq_topic(*, title, slug, entries, by=None):
    topic = FaqTopic.objects.create(title=title, slug=slug, intro="Answers to common questions.")
    for position, (question, answer) in enumerate(entries, start=1):
        entry = FaqEntry.objects.create(
            topic=topic, question=question, slug=f"q{position}", answer=answer, position=position
        )
        content_publish(content=entry, by=by, material_change=True)
    topic.refresh_from_db()
    return topic


LONG_BODY = "\n\n".join(
    f"## Part {part}\n\n" + " ".join(["Your care team watches you closely after each dose of the nasal spray."] * 12)
    for part in range(1, 7)
)


def make_clinic(*, patient_name=PATIENT_NAME, patient_reference=PATIENT_REFERENCE):
    editor = staff_user("e2e-editor", "Editor")
    reviewer = staff_user("e2e-reviewer", "Clinical reviewer")
    front_desk = staff_user("e2e-frontdesk", "Clinic staff")
    article = published_article(
        title="What to expect on treatment day",
        slug="what-to-expect",
        summary="How to get ready and why you need a ride home.",
        body="## Before you come\n\nStop eating 2 hours before.\n\n" + LONG_BODY,
        by=reviewer,
    )
    second_article = published_article(
        title="Side effects and safety",
        slug="side-effects",
        summary="What you may feel and when it passes.",
        body="## Common effects\n\nYou may feel dizzy or sleepy for a while.\n\n" + LONG_BODY,
        by=reviewer,
    )
    faq_topic = published_faq_topic(
        title="Your visit",
        slug="your-visit",
        entries=[
            ("Can I drive home?", "No. Plan a ride home, and do not drive until the next day."),
            ("How long will I stay?", "At least 2 hours after each dose."),
        ],
        by=reviewer,
    )
    treatment = Treatment.objects.create(name="Spravato (esketamine)", slug="spravato")
    ReadingListItem.objects.create(treatment=treatment, position=1, article=article)
    ReadingListItem.objects.create(treatment=treatment, position=2, article=second_article)
    ReadingListItem.objects.create(treatment=treatment, position=3, faq_topic=faq_topic)
    patient = Patient.objects.create(reference=patient_reference, display_name=patient_name)
    scheduled = timezone.localtime() + timezone.timedelta(hours=3)
    session = session_create(patient=patient, treatment=treatment, scheduled_at=scheduled)
    token = session_issue_link(session=session)
    return Clinic(
        editor=editor,
        reviewer=reviewer,
        front_desk=front_desk,
        article=article,
        second_article=second_article,
        faq_topic=faq_topic,
        treatment=treatment,
        patient=patient,
        session=session,
        token=token,
        items=list(session.items.order_by("position")),
    )

"""The patient side of `manage.py load_demo`: the Spravato treatment, its reading list and reminders, a demo patient,
a session tomorrow at 10:00 clinic time, and a fresh link for it (printed; the previous demo link stops working).

Run after the demo content is loaded (portal.demo.loader). Safe to run again: the treatment, its reading
list and reminder rules (set only while empty, so staff edits in the admin are kept), the patient and the session
are reused.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from faq.models import FaqTopic
from portal.demo import demo_articles
from portal.reading.models import ChecklistItem, Patient, ReadingFrequency, ReadingListItem, ReminderRule, Treatment
from portal.reading.services.imports import session_find_or_create
from portal.reading.services.sessions import session_issue_link

TREATMENT_SLUG = "spravato"
TREATMENT_NAME = "Spravato (esketamine) nasal spray"
FAQ_TOPIC_SLUG = "spravato"
PATIENT_REFERENCE = "DEMO-0001"
PATIENT_NAME = "Alex Demo"
PATIENT_EMAIL = "alex.demo@example.org"
SESSION_TIME = datetime.time(10, 0)
REMINDER_HOURS = (72, 24)  # reminders while the reading is not done: 3 days and 1 day before the session


# The treatment-day checklist (short label for staff, text for patients), from the label's instructions.
DEMO_CHECKLIST = (
    ("ride home", "I have a ride home, and I will not drive until the next day, after a good night's sleep."),
    ("food and drink", "I will not eat for 2 hours, or drink anything for 30 minutes, before my session."),
    ("nose spray", "If I use a steroid or decongestant nose spray, I will use it at least 1 hour before."),
    ("2 hours' stay", "I can stay at the clinic for at least 2 hours after my dose."),
)


def demo_checklist(treatment):
    """The demo checklist, approved as written (trusted demo data, like content_publish), filled only while empty."""
    if treatment.checklist_items.exists():
        return
    for position, (label, text) in enumerate(DEMO_CHECKLIST, start=1):
        ChecklistItem.objects.create(
            treatment=treatment,
            position=position * 10,
            text=text,
            short_label=label,
            approved_text=text,
            approved_short_label=label,
            approved_at=timezone.now(),
        )


def demo_reminder_rules(treatment):
    """Reminders 72 h and 24 h before the session, set only while the treatment has none."""
    if treatment.reminder_rules.exists():
        return
    for hours in REMINDER_HOURS:
        ReminderRule.objects.create(treatment=treatment, hours_before=hours)


def demo_treatment():
    """The Spravato treatment; its reading list is filled only while it is empty."""
    treatment, _ = Treatment.objects.get_or_create(
        slug=TREATMENT_SLUG,
        defaults={
            "name": TREATMENT_NAME,
            "description": "Esketamine nasal spray, given in a certified clinic; observation for at least 2 hours.",
        },
    )
    if not treatment.reading_list.exists():
        slugs = [demo.slug for demo in demo_articles()]
        articles = {article.slug: article for article in Article.objects.filter(slug__in=slugs)}
        position = 0
        for index, slug in enumerate(slugs):
            if slug not in articles:
                continue
            position += 10
            ReadingListItem.objects.create(
                treatment=treatment,
                position=position,
                page=articles[slug],
                required=True,
                # The first article (what Spravato is) is for the first session only.
                frequency=ReadingFrequency.FIRST_SESSION if index == 0 else ReadingFrequency.EVERY_SESSION,
            )
        topic = FaqTopic.objects.filter(slug=FAQ_TOPIC_SLUG).first()
        if topic is not None:
            ReadingListItem.objects.create(treatment=treatment, position=position + 10, page=topic, required=False)
    demo_checklist(treatment)
    demo_reminder_rules(treatment)
    return treatment


def demo_session_time(today=None):
    """Tomorrow at 10:00, clinic local time."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, SESSION_TIME, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def create_demo_sessions(stdout, *, base_url=None):
    """Create (or reuse) the demo treatment, patient and tomorrow's session; print a fresh patient link."""
    base_url = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
    treatment = demo_treatment()
    patient, _ = Patient.objects.get_or_create(
        reference=PATIENT_REFERENCE, defaults={"display_name": PATIENT_NAME, "email": PATIENT_EMAIL}
    )
    scheduled_at = demo_session_time()
    session, created = session_find_or_create(patient=patient, treatment=treatment, scheduled_at=scheduled_at)
    token = session_issue_link(session=session)
    link = base_url + reverse("patient:open", kwargs={"token": token})
    stdout.write(
        f"Demo patient session ({'created' if created else 'existing'}): {treatment.name}, "
        f"{timezone.localtime(scheduled_at):%A %Y-%m-%d %H:%M %Z}, {session.items.count()} page(s) to read."
    )
    stdout.write(f"  Demo patient link (new on every run; the previous one stops working): {link}")
    return session, link

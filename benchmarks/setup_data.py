"""Benchmark data, made inside the benchmark's own database (run by benchmarks/run.py in a Django process).

- the demo content (manage.py load_demo): real articles and FAQ pages of realistic length;
- the dashboard's week: 2,000 sessions spread over today and the next 7 days, each with 3 reading-list
  items and a reading record for each (6,000 records), some acknowledged, some with questions;
- patients with working links for the patient pages and the beacon (after the week, so the dashboard
  shows exactly the 2,000 sessions);
- a clinic staff member's logged-in session for the dashboard;
- then (grow, the cost-growth steps) past weeks of 2,000 sessions each, so the dashboard's week stays the same
  while the history, and the CSV of all of it, grows.
"""

import io
import random
import secrets

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.reading.models import (
    PAGE_FIELDS,
    Patient,
    PatientQuestion,
    ReadingListItem,
    ReadingRecord,
    SessionItem,
    Treatment,
    TreatmentSession,
)
from portal.reading.services.sessions import session_create, session_issue_link
from portal.reading.views.staff import SESSIONS_PER_PAGE


def _treatment():
    treatment = Treatment.objects.filter(reading_list__isnull=False).distinct().first()
    if treatment is not None:
        return treatment
    treatment = Treatment.objects.create(name="Spravato (esketamine)", slug="spravato-bench")
    position = 0
    for article in Article.objects.published()[:2]:
        position += 1
        ReadingListItem.objects.create(treatment=treatment, position=position, article=article)
    topic = FaqTopic.objects.filter(entries__in=FaqEntry.objects.published()).distinct().first()
    if topic is not None:
        ReadingListItem.objects.create(treatment=treatment, position=position + 1, page=topic)
    return treatment


WEEK_SESSIONS = 2000


@transaction.atomic
def _sessions(treatment, sessions, items_per_session, rng, *, first=0):
    """Bulk-made sessions as the dashboard sees them, numbered from `first`, one reading record per item. The
    first WEEK_SESSIONS fill the dashboard's default range (today and the next 7 days); each further
    WEEK_SESSIONS fill the 8 days before the previous ones, as a clinic's history grows."""
    today = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    reading_list = list(treatment.reading_list.select_related(*PAGE_FIELDS).order_by("position"))
    patients = Patient.objects.bulk_create(
        (
            Patient(reference=f"BENCH-{number:06d}", display_name=f"Bench Patient {number:06d}")
            for number in range(first // 2, (first + sessions) // 2)
        ),
        batch_size=2000,
    )
    made = TreatmentSession.objects.bulk_create(
        (
            TreatmentSession(
                patient=patients[number % len(patients)],
                treatment=treatment,
                # 8:00 to 17:50 on each of 8 days, 10-minute slots; earlier blocks of 8 days for the history.
                scheduled_at=today
                + timezone.timedelta(
                    days=number % 8 - 8 * (number // WEEK_SESSIONS), minutes=10 * ((number // 8) % 60)
                ),
            )
            for number in range(first, first + sessions)
        ),
        batch_size=2000,
    )
    items = SessionItem.objects.bulk_create(
        (
            SessionItem(
                session=session,
                position=position + 1,
                page=entry.page,
                required=entry.required,
                current_material_version=entry.page.material_version,
            )
            for session in made
            for position, entry in enumerate((reading_list * items_per_session)[:items_per_session])
        ),
        batch_size=2000,
    )
    now = timezone.now()
    records = []
    for item in items:
        state = rng.random()
        opened = now - timezone.timedelta(minutes=rng.randint(5, 3000))
        records.append(
            ReadingRecord(
                item=item,
                opened_at=opened,
                seconds_visible=rng.randint(0, 400),
                end_reached_at=opened + timezone.timedelta(minutes=3) if state > 0.3 else None,
                acknowledged_at=opened + timezone.timedelta(minutes=4) if state > 0.4 else None,
                acknowledged_version=(item.current_material_version or 1) if state > 0.4 else None,
                content_version=item.current_material_version or 1,
            )
        )
    ReadingRecord.objects.bulk_create(records, batch_size=2000)
    PatientQuestion.objects.bulk_create(
        (
            PatientQuestion(item=item, text="Can I bring someone with me?")
            for item in rng.sample(items, len(items) // 30)
        ),
        batch_size=2000,
    )
    return len(made), len(records)


def _linked_patients(treatment, count):
    start = timezone.localtime() + timezone.timedelta(days=10)
    patients = []
    for number in range(count):
        patient = Patient.objects.create(reference=f"LINK-{number:04d}", display_name=f"Link Patient {number:04d}")
        session = session_create(
            patient=patient, treatment=treatment, scheduled_at=start + timezone.timedelta(minutes=number)
        )
        token = session_issue_link(session=session)
        patients.append(
            {"token": token, "items": list(session.items.order_by("position").values_list("pk", flat=True))}
        )
    return patients


def _staff_session():
    user = get_user_model().objects.create_user(
        f"bench-staff-{secrets.token_hex(4)}", password=secrets.token_urlsafe(16), is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(content_type__app_label="reading", codename="view_patient_data"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def grow(*, to, items_per_session=3, seed=20261127):
    """Add past weeks of sessions until there are `to` (the cost-growth steps); returns the counts and the date
    range that holds them all (for the CSV and the whole-history dashboard)."""
    made = TreatmentSession.objects.filter(patient__reference__startswith="BENCH-")
    have = made.count()
    if to > have:
        _sessions(_treatment(), to - have, items_per_session, random.Random(seed + have), first=have)
    first = timezone.localtime(made.order_by("scheduled_at").first().scheduled_at).date()
    last = timezone.localdate() + timezone.timedelta(days=7)
    return {
        "sessions": made.count(),
        "records": ReadingRecord.objects.filter(item__session__in=made).count(),
        "week_sessions": made.filter(scheduled_at__gte=timezone.localtime().replace(hour=0, minute=0)).count(),
        "history_query": f"from={first.isoformat()}&to={last.isoformat()}",
    }


def create(*, sessions=WEEK_SESSIONS, items_per_session=3, linked_patients=64, seed=20261127):
    rng = random.Random(seed)
    call_command("load_demo", "--force", stdout=io.StringIO(), stderr=io.StringIO())  # DEBUG is off here
    treatment = _treatment()
    week_sessions, week_records = _sessions(treatment, sessions, items_per_session, rng)
    article = Article.objects.published().order_by("-live_word_count").first()
    topic = FaqTopic.objects.filter(entries__in=FaqEntry.objects.published()).distinct().first()
    return {
        "article_path": article.get_absolute_url(),
        "article_words": article.live_word_count,
        "faq_path": topic.get_absolute_url(),
        "week_sessions": week_sessions,
        "week_records": week_records,
        "dashboard_page_size": SESSIONS_PER_PAGE,
        "patients": _linked_patients(treatment, linked_patients),
        "staff_session_key": _staff_session(),
    }

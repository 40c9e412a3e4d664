"""What the fault tests run inside their servers' database, in a Django process of its own (e2e.servers.run_django):
seed data, an editor and a reviewer publishing new versions under load, and the read-back of every record."""

import time

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from e2e import factories
from portal.content.services import content_approve, content_record_edit, content_submit_for_review
from portal.reading.models import Patient, ProgressReport, ReadingRecord
from portal.reading.services.sessions import session_create, session_issue_link


def seed(*, sessions, prefix="soak"):
    """A clinic with `sessions` patient sessions of 3 pages each; returns what the HTTP clients need."""
    clinic = factories.make_clinic(patient_name=f"{prefix} Patient 0", patient_reference=f"{prefix.upper()}-0")
    patients = [{"token": clinic.token, "items": [item.pk for item in clinic.items]}]
    for number in range(1, sessions):
        patient = Patient.objects.create(
            reference=f"{prefix.upper()}-{number}", display_name=f"{prefix} Patient {number}"
        )
        session = session_create(patient=patient, treatment=clinic.treatment, scheduled_at=clinic.session.scheduled_at)
        token = session_issue_link(session=session)
        patients.append(
            {"token": token, "items": list(session.items.order_by("position").values_list("pk", flat=True))}
        )
    return {
        "patients": patients,
        "names": [f"{prefix} Patient {number}" for number in range(sessions)],
        "article_pk": clinic.article.pk,
        "article_path": clinic.article.get_absolute_url(),
        "reviewer": clinic.reviewer.get_username(),
        "password": factories.PASSWORD,
    }


def edit_and_submit(*, article_pk, text):
    """The editor changes the article's body and submits it for review (what the admin's change page does)."""
    editor = get_user_model().objects.get(username="e2e-editor")
    article = Article.objects.get(pk=article_pk)
    article.body = text
    content_record_edit(content=article, by=editor)
    article.save()
    content_submit_for_review(content=article, by=editor)
    return article.working_hash()


def publish_versions(*, article_pk, seconds, pause=0.5):
    """Edit, submit and approve new versions of the article until `seconds` have passed; returns how many."""
    reviewer = get_user_model().objects.get(username="e2e-reviewer")
    deadline = time.monotonic() + seconds
    published = 0
    while time.monotonic() < deadline:
        published += 1
        edit_and_submit(article_pk=article_pk, text=f"## Version {published}\n\n" + factories.LONG_BODY)
        article = Article.objects.get(pk=article_pk)
        content_approve(
            content=article,
            by=reviewer,
            checked_against="SPRAVATO Medication Guide, rev. 01/2025",
            material_change=published % 4 == 0,
            next_review_due=timezone.localdate() + timezone.timedelta(days=365),
        )
        time.sleep(pause)
    return published


def records(*, items):
    """Every record and report of these items, as the fault tests check them."""
    found = {}
    for record in ReadingRecord.objects.filter(item_id__in=items):
        found[record.item_id] = {
            "acknowledged": record.acknowledged_at is not None,
            "end_reached": record.end_reached_at is not None,
            "seconds_visible": record.seconds_visible,
            "reports": {},
        }
    for report in ProgressReport.objects.filter(item_id__in=items):
        found.setdefault(report.item_id, {"acknowledged": False, "seconds_visible": 0, "reports": {}})
        found[report.item_id]["reports"][report.client_id] = report.seconds
    return found

"""Patients and their treatment sessions, with the patient link (only its hash is stored)."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Count, ExpressionWrapper, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reading.models.checks import ChecklistAnswer, ChecklistItem
from portal.reading.models.items import PatientQuestion, SessionItem
from portal.reading.models.rules import item_done_q, valid_link_q
from portal.reading.models.treatments import Treatment


class Patient(models.Model):
    """The minimum to recognise a person at the desk. No dates of birth, no diagnoses."""

    reference = models.CharField(max_length=64, unique=True, help_text="The clinic's own patient reference.")
    display_name = models.CharField(max_length=120, help_text="Name or initials, as the front desk knows them.")
    email = models.EmailField(blank=True, help_text="Optional: only used to send reading links and reminders.")
    mobile_number = models.CharField(
        max_length=20, blank=True, help_text="Optional: a mobile number for text messages, in international form."
    )
    consents_to_texts = models.BooleanField(
        default=False, help_text="The patient agreed to receive text messages about their reading."
    )
    texts_opted_out_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the patient replied STOP: no more texts."
    )
    preferred_language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The language of their pages and messages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "reference"]
        permissions = [("view_patient_data", "Can see patients, sessions and reading records")]

    def __str__(self):
        return f"{self.display_name} ({self.reference})"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class SessionSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    CSV = "csv", _("CSV import")
    HL7 = "hl7", _("HL7 v2 (EHR)")
    FHIR = "fhir", _("FHIR (EHR)")


class SessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(scheduled_at__gte=now, status=SessionStatus.SCHEDULED)

    def between(self, start, end):
        return self.filter(scheduled_at__gte=start, scheduled_at__lt=end)

    def with_completion(self):
        """Annotate item and checklist counts and `ready` in the same query: no query per session."""
        return self.annotate(
            items_total=Count("items", filter=Q(items__required=True), distinct=True),
            items_done=Count("items", filter=Q(items__required=True) & item_done_q("items__"), distinct=True),
            open_questions=Count(
                "items__questions", filter=Q(items__questions__answered_at__isnull=True), distinct=True
            ),
            checklist_total=_count_of(
                ChecklistItem.objects.live().filter(treatment=OuterRef("treatment_id")), "treatment"
            ),
            checklist_done=_count_of(
                ChecklistAnswer.objects.filter(session=OuterRef("pk"), ready=True).exclude(
                    checklist_item__approved_text=""
                ),
                "session",
            ),
            ready=ExpressionWrapper(~self.not_ready_q(), output_field=BooleanField()),
        )

    def not_ready_q(self):
        """THE definition of "not ready" for a session of this queryset (issue 13), as a Q on sessions: a required
        page not done (read in its current material version, teach-back answered: item_done_q), or a
        treatment-day checklist item (approved) not answered "Yes", or a question (a page's or the checklist's)
        not answered by staff. Its subqueries are not correlated, so each runs once for the whole queryset (an
        EXISTS per session made PostgreSQL probe the questions 2,000 times). Used by `ready()`, `not_ready()`,
        `with_completion()` (the `ready` annotation behind `is_ready`) and `completion_totals()`."""
        sessions = self.model.objects.filter(pk__in=self.values("pk"))
        unread = SessionItem.objects.filter(session__in=sessions, required=True).exclude(item_done_q())
        questions = PatientQuestion.objects.filter(item__session__in=sessions, answered_at__isnull=True)
        checklist_gaps = sessions.annotate(
            total=_checklist_total(),
            done=_count_of(
                ChecklistAnswer.objects.filter(session=OuterRef("pk"), ready=True).exclude(
                    checklist_item__approved_text=""
                ),
                "session",
            ),
        ).filter(done__lt=models.F("total"))
        return (
            Q(pk__in=unread.values("session_id"))
            | Q(pk__in=questions.values("item__session_id"))
            | Q(pk__in=checklist_gaps.values("pk"))
        )

    def ready(self):
        """Sessions whose patient is ready: see not_ready_q. The one filter reminders and exports use."""
        return self.exclude(self.not_ready_q())

    def not_ready(self):
        """Sessions whose patient is not ready yet (required reading, teach-back, checklist or a question left)."""
        return self.filter(self.not_ready_q())

    def completion_totals(self):
        """Totals for the whole list in one query, however long it is: sessions, sessions ready (not_ready_q) and
        sessions with open questions."""
        with_questions = PatientQuestion.objects.filter(item__session__in=self, answered_at__isnull=True).values(
            "item__session_id"
        )
        return self.aggregate(
            total=Count("pk"),
            ready=Count("pk", filter=~self.not_ready_q()),
            with_open_questions=Count("pk", filter=Q(pk__in=with_questions)),
        )

    def with_valid_link(self, now=None):
        """Sessions whose patient link works now: issued, not revoked, not expired."""
        return self.filter(valid_link_q(now=now))


def _count_of(queryset, group):
    """A correlated COUNT(*) of `queryset` (filtered on OuterRef through `group`) as a subquery, 0 when empty."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _checklist_total():
    """Approved checklist items of the session's treatment (a correlated count)."""
    return _count_of(ChecklistItem.objects.live().filter(treatment=OuterRef("treatment_id")), "treatment")


def _checklist_done():
    """Approved checklist items the session's patient answered "Yes" (a correlated count)."""
    answers = ChecklistAnswer.objects.filter(session=OuterRef("pk"), ready=True)
    return _count_of(answers.exclude(checklist_item__approved_text=""), "session")


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class TreatmentSession(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="sessions")
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="sessions")
    scheduled_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    # The link token itself is never stored: only its SHA-256.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    link_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where the session came from; for an EHR appointment, its id and the system that assigned it (one session
    # per appointment) and the time of the last change applied (an older message changes nothing).
    source = models.CharField(max_length=8, choices=SessionSource.choices, default=SessionSource.STAFF)
    source_system = models.CharField(max_length=200, blank=True, editable=False)
    external_id = models.CharField(max_length=100, blank=True, editable=False)
    source_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "treatment", "scheduled_at"], name="session_unique_per_patient_time"
            ),
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="session_unique_per_appointment",
            ),
        ]
        # The dashboard and the CSV select a date range: without it every session ever held is scanned.
        indexes = [models.Index(fields=["scheduled_at", "id"], name="session_scheduled_at")]

    def __str__(self):
        return (
            f"{self.treatment} for {self.patient.reference} at {timezone.localtime(self.scheduled_at):%Y-%m-%d %H:%M}"
        )

    def get_absolute_url(self):
        return reverse("staff:session", kwargs={"pk": self.pk})

    @property
    def link_is_valid(self):
        return (
            self.token_hash is not None
            and self.link_revoked_at is None
            and self.link_expires_at is not None
            and self.link_expires_at > timezone.now()
        )

    @property
    def is_ready(self):
        """Ready for the session (SessionQuerySet.not_ready_q; needs TreatmentSession.objects.with_completion())."""
        return self.ready

    def link_matches(self, token):
        """True if `token` is this session's current, valid link token (constant-time comparison)."""
        return self.link_is_valid and hmac.compare_digest(self.token_hash, hash_token(token))

    def issue_link_token(self):
        """Set a new token (replacing any earlier one) and return it; the caller saves and shows it once."""
        token = secrets.token_urlsafe(32)  # 256 random bits
        now = timezone.now()
        self.token_hash = hash_token(token)
        self.link_issued_at = now
        self.link_revoked_at = None
        self.link_expires_at = self.scheduled_at + timezone.timedelta(
            days=settings.PATIENT_LINK_VALID_DAYS_AFTER_SESSION
        )
        return token

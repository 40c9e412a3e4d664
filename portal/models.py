"""Treatments, patients, sessions, reading records, content versions and the staff audit log."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone


class Treatment(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the CSV import's treatment column.")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReadingFrequency(models.TextChoices):
    EVERY_SESSION = "every", "Every session"
    FIRST_SESSION = "first", "First session only"


class ReadingListItem(models.Model):
    """One page on a treatment's reading list: an article or a whole FAQ topic page."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reading_list")
    position = models.PositiveIntegerField(default=0)
    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faq_topic = models.ForeignKey("faq.FaqTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=True)
    frequency = models.CharField(max_length=8, choices=ReadingFrequency.choices, default=ReadingFrequency.EVERY_SESSION)

    class Meta:
        ordering = ["treatment", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, faq_topic__isnull=True)
                | Q(article__isnull=True, faq_topic__isnull=False),
                name="reading_list_item_one_target",
            )
        ]

    def __str__(self):
        return str(self.article or self.faq_topic)


class Patient(models.Model):
    """The minimum to recognise a person at the desk. No dates of birth, no diagnoses."""

    reference = models.CharField(max_length=64, unique=True, help_text="The clinic's own patient reference.")
    display_name = models.CharField(max_length=120, help_text="Name or initials, as the front desk knows them.")
    email = models.EmailField(blank=True, help_text="Optional: only used to send reading links.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "reference"]
        permissions = [("view_patient_data", "Can see patients, sessions and reading records")]

    def __str__(self):
        return f"{self.display_name} ({self.reference})"


class SessionQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(scheduled_at__gte=now, status=SessionStatus.SCHEDULED)

    def between(self, start, end):
        return self.filter(scheduled_at__gte=start, scheduled_at__lt=end)

    def with_completion(self):
        """Annotate item counts in the same query: no query per session."""
        return self.annotate(
            items_total=Count("items", filter=Q(items__required=True), distinct=True),
            items_done=Count(
                "items",
                filter=Q(items__required=True, items__record__acknowledged_at__isnull=False)
                & ~Q(items__record__acknowledged_version__lt=models.F("items__current_material_version")),
                distinct=True,
            ),
            open_questions=Count(
                "items__questions", filter=Q(items__questions__answered_at__isnull=True), distinct=True
            ),
        )

    def for_link_token(self, token):
        return self.filter(token_hash=hash_token(token))


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


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

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "treatment", "scheduled_at"], name="session_unique_per_patient_time"
            )
        ]

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


class SessionItem(models.Model):
    """A reading-list entry copied onto a session when it is created."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faq_topic = models.ForeignKey("faq.FaqTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=True)
    # Mirrors the content's material_version so completion can be computed in one query.
    current_material_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="session_item_unique_position"),
            models.CheckConstraint(
                condition=Q(article__isnull=False, faq_topic__isnull=True)
                | Q(article__isnull=True, faq_topic__isnull=False),
                name="session_item_one_target",
            ),
        ]

    def __str__(self):
        return str(self.content)

    @property
    def content(self):
        return self.article or self.faq_topic


class ReadingRecord(models.Model):
    """What one patient did with one session item. Exactly one row per item (OneToOne = unique)."""

    item = models.OneToOneField(SessionItem, on_delete=models.CASCADE, related_name="record")
    opened_at = models.DateTimeField(null=True, blank=True)
    seconds_visible = models.PositiveIntegerField(default=0)
    end_reached_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The version and hash of the content when the patient last read / acknowledged it.
    content_version = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    acknowledged_version = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Reading record for item {self.item_id}"


class ProgressReport(models.Model):
    """One beacon report; the client-made id makes a resent report count once."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="progress_reports")
    client_id = models.CharField(max_length=64)
    seconds = models.PositiveIntegerField(default=0)
    reached_end = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "client_id"], name="progress_report_unique_client_id")]

    def __str__(self):
        return f"Progress report {self.client_id} for item {self.item_id}"


class PatientQuestion(models.Model):
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=2000)
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at"]

    def __str__(self):
        return f"Question on item {self.item_id}"


class ContentVersion(models.Model):
    """Every approved version of an article or FAQ entry, kept for ever: what a patient read."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    content_hash = models.CharField(max_length=64)
    material_change = models.BooleanField(default=False)
    checked_against = models.CharField(max_length=200, blank=True)
    edited_by_name = models.CharField(max_length=150, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField()

    class Meta:
        ordering = ["content_type", "object_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "version"], name="content_version_unique")
        ]
        permissions = [("approve_content", "Can approve and publish articles and FAQ entries")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class AuditEvent(models.Model):
    """Append-only log of staff access to patient data. Survives the deletion of the user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    subject = models.CharField(max_length=200, blank=True, help_text="Ids of what was looked at, e.g. session=12.")
    filters = models.JSONField(default=dict, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

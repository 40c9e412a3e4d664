"""Treatments, patients, sessions, reading records, content versions and the staff audit log."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, Count, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
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
        return str(self.content)

    @property
    def content(self):
        return self.article or self.faq_topic


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


def item_done_q(prefix=""):
    """The one definition of "done" for a session item: acknowledged, and at or after the content's latest
    material change (a page whose content changed materially after the patient acknowledged it must be read
    again). `prefix` reaches the item through a relation, e.g. "items__" from a session."""
    return Q(
        **{
            f"{prefix}record__acknowledged_at__isnull": False,
            f"{prefix}record__acknowledged_version__gte": F(f"{prefix}current_material_version"),
        }
    )


def valid_link_q(prefix="", now=None):
    """The one definition of a working patient link: issued, not revoked, not expired. `prefix` reaches the
    session through a relation, e.g. "session__" from an item."""
    now = now or timezone.now()
    return Q(
        **{
            f"{prefix}token_hash__isnull": False,
            f"{prefix}link_revoked_at__isnull": True,
            f"{prefix}link_expires_at__gt": now,
        }
    )


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
            items_done=Count("items", filter=Q(items__required=True) & item_done_q("items__"), distinct=True),
            open_questions=Count(
                "items__questions", filter=Q(items__questions__answered_at__isnull=True), distinct=True
            ),
        )

    def completion_totals(self):
        """Totals for the whole list in one query, however long it is: sessions, sessions ready (no required item
        left that is not done: the rule of `is_ready`) and sessions with open questions. The subqueries are not
        correlated, so each runs once (an EXISTS per session made PostgreSQL probe the questions 2,000 times)."""
        not_ready = (
            SessionItem.objects.filter(session__in=self, required=True).exclude(item_done_q()).values("session_id")
        )
        with_questions = PatientQuestion.objects.filter(item__session__in=self, answered_at__isnull=True).values(
            "item__session_id"
        )
        return self.aggregate(
            total=Count("pk"),
            ready=Count("pk", filter=~Q(pk__in=not_ready)),
            with_open_questions=Count("pk", filter=Q(pk__in=with_questions)),
        )

    def for_link_token(self, token):
        return self.filter(token_hash=hash_token(token))

    def with_valid_link(self, now=None):
        """Sessions whose patient link works now: issued, not revoked, not expired."""
        return self.filter(valid_link_q(now=now))


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

    @property
    def is_ready(self):
        """All required items done (needs TreatmentSession.objects.with_completion())."""
        return self.items_done >= self.items_total

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


class ItemState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class SessionItemQuerySet(models.QuerySet):
    def with_state(self):
        """Items with their record, content, `is_done` and `estimated_words` in one query (see the properties)."""
        from faq.models import FaqEntry

        faq_words = (
            FaqEntry.objects.published()
            .filter(topic=OuterRef("faq_topic_id"))
            .order_by()
            .values("topic")
            .annotate(words=Sum("live_word_count"))
            .values("words")
        )
        return self.select_related("record", "article", "faq_topic").annotate(
            is_done=Case(When(item_done_q(), then=Value(True)), default=Value(False), output_field=BooleanField()),
            estimated_words=Coalesce(F("article__live_word_count"), Subquery(faq_words), Value(0)),
        )

    def for_patient_link(self, session_id, link_hash, now=None):
        """Items of the session a patient's browser holds, only while the link it came from still works: the
        link is checked in the same query (a join), so the beacon needs no separate lookup of the session."""
        return self.filter(valid_link_q("session__", now), session_id=session_id, session__token_hash=link_hash)


class SessionItem(models.Model):
    """A reading-list entry copied onto a session when it is created."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faq_topic = models.ForeignKey("faq.FaqTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(default=True)
    # Mirrors the content's material_version so completion can be computed in one query.
    current_material_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SessionItemQuerySet.as_manager()

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

    @property
    def title(self):
        return self.article.live_title if self.article_id else self.faq_topic.title

    @property
    def content_version(self):
        """The live version of the content now: article.published_version or the FAQ topic's version."""
        return self.article.published_version if self.article_id else self.faq_topic.version

    @property
    def content_hash(self):
        return self.content.content_hash

    @property
    def reading_record(self):
        """The record, or None before the patient first opens the page (no query after with_state())."""
        try:
            return self.record
        except ReadingRecord.DoesNotExist:
            return None

    # The properties below need SessionItem.objects.with_state().
    @property
    def estimated_seconds(self):
        return round(self.estimated_words * 60 / settings.READING_WORDS_PER_MINUTE)

    @property
    def estimated_minutes(self):
        return max(1, -(-self.estimated_words // settings.READING_WORDS_PER_MINUTE))

    @property
    def state(self):
        if self.is_done:
            return ItemState.DONE
        record = self.reading_record
        if record is not None and (record.opened_at or record.acknowledged_at):
            return ItemState.IN_PROGRESS
        return ItemState.NOT_STARTED

    @property
    def read_earlier_version(self):
        """Acknowledged, but the content has changed materially since: it counts as not done."""
        record = self.reading_record
        return record is not None and record.acknowledged_at is not None and not self.is_done

    @property
    def read_quickly(self):
        """Acknowledged after less than READ_QUICKLY_FRACTION of the estimated reading time."""
        record = self.reading_record
        if record is None or record.acknowledged_at is None or not self.estimated_words:
            return False
        seconds = record.reading_seconds
        return seconds is not None and seconds < settings.READ_QUICKLY_FRACTION * self.estimated_seconds


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

    @property
    def seconds_open_to_acknowledge(self):
        if self.opened_at is None or self.acknowledged_at is None:
            return None
        return max(0, int((self.acknowledged_at - self.opened_at).total_seconds()))

    @property
    def measured_by_script(self):
        return self.seconds_visible > 0

    @property
    def reading_seconds(self):
        """Seconds visible as the page's script measured them; without JavaScript (no report came), the time
        from opening the page to acknowledging it."""
        if self.measured_by_script:
            return self.seconds_visible
        return self.seconds_open_to_acknowledge


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


class ContentVersionQuerySet(models.QuerySet):
    def for_content(self, content):
        return self.filter(content_type=ContentType.objects.get_for_model(content), object_id=content.pk)

    def published(self):
        """Versions that reached patients (an approval waiting for its publish time has none yet)."""
        return self.filter(published_at__isnull=False)

    def pending(self):
        return self.filter(published_at__isnull=True)


class ContentVersion(models.Model):
    """Every approved version of an article or FAQ entry, kept for ever: what a patient read.

    A row is written when a reviewer approves a change; `published_at` is set when it reaches patients
    (at once, or later by publish_due when the approval was scheduled).
    """

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
    published_at = models.DateTimeField(null=True, blank=True, help_text="When patients started seeing it.")

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "version"], name="content_version_unique")
        ]
        permissions = [("approve_content", "Can approve and publish articles and FAQ entries")]

    def __str__(self):
        return f"{self.title} v{self.version}"


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The one change allowed: forgetting the link to a deleted user (on_delete=SET_NULL goes
        # through QuerySet.update). The copy of the user name stays.
        if kwargs.keys() == {"user"} and kwargs["user"] is None:
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """Append-only log of staff access to patient data. Survives the deletion of the user.

    The model refuses updates and deletes (save of an existing row, delete, QuerySet.update/delete);
    its admin is read-only for everyone, superusers included.
    """

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

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # Only "view": nobody can be given a right to add, change or delete audit events.
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

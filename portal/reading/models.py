"""Treatments and their reading lists, patients, sessions, their items, reading records and questions."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Count, F, Q, Value, When
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


# The kinds of page a reading list can hold, and the field of PageReference that points at each: the one
# place that knows them (portal.content.models.PageToRead is what they have in common).
PAGE_FIELDS = {"article": "articles.Article", "faq_topic": "faq.FaqTopic"}


def page_q(page, prefix=""):
    """Rows that point at `page` (an Article or an FaqTopic); `prefix` reaches the reference through a relation."""
    return Q(**{f"{prefix}{page_field_for(page)}": page})


def page_field_for(page):
    label = page._meta.label
    return next(field for field, model in PAGE_FIELDS.items() if model == label)


def available_page_keys(references):
    """{(field, pk)} of the pages among `references` (PageReference rows) that patients can be shown now:
    one query per kind of page, however many references."""
    from django.apps import apps

    keys = set()
    for field, label in PAGE_FIELDS.items():
        pks = {getattr(reference, f"{field}_id") for reference in references} - {None}
        if pks:
            available = apps.get_model(label).objects.available().filter(pk__in=pks).values_list("pk", flat=True)
            keys |= {(field, pk) for pk in available}
    return keys


class PageReference(models.Model):
    """Points at exactly one page to read: an article or a whole FAQ topic page."""

    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faq_topic = models.ForeignKey("faq.FaqTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, faq_topic__isnull=True)
                | Q(article__isnull=True, faq_topic__isnull=False),
                name="%(class)s_one_page",
            )
        ]

    def __str__(self):
        return str(self.page)

    @property
    def page(self):
        """The page to read (portal.content.models.PageToRead)."""
        return self.article or self.faq_topic

    @property
    def page_key(self):
        return next((field, getattr(self, f"{field}_id")) for field in PAGE_FIELDS if getattr(self, f"{field}_id"))

    @page.setter
    def page(self, page):
        for field in PAGE_FIELDS:
            setattr(self, field, None)
        setattr(self, page_field_for(page), page)


class ReadingListItem(PageReference):
    """One page on a treatment's reading list."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reading_list")
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(default=True)
    frequency = models.CharField(max_length=8, choices=ReadingFrequency.choices, default=ReadingFrequency.EVERY_SESSION)

    class Meta(PageReference.Meta):
        ordering = ["treatment", "position", "pk"]


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
        """Items with their record, page, `is_done` and `estimated_words` in one query (see the properties)."""
        return self.select_related("record", *PAGE_FIELDS).annotate(
            is_done=Case(When(item_done_q(), then=Value(True)), default=Value(False), output_field=BooleanField()),
            estimated_words=Coalesce(*(F(f"{field}__live_word_count") for field in PAGE_FIELDS), Value(0)),
        )

    def for_patient_link(self, session_id, link_hash, now=None):
        """Items of the session a patient's browser holds, only while the link it came from still works: the
        link is checked in the same query (a join), so the beacon needs no separate lookup of the session."""
        return self.filter(valid_link_q("session__", now), session_id=session_id, session__token_hash=link_hash)


class SessionItem(PageReference):
    """A reading-list entry copied onto a session when it is created."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    required = models.BooleanField(default=True)
    # Mirrors the content's material_version so completion can be computed in one query.
    current_material_version = models.PositiveIntegerField(default=0, editable=False)

    objects = SessionItemQuerySet.as_manager()

    class Meta(PageReference.Meta):
        ordering = ["session", "position"]
        constraints = [
            *PageReference.Meta.constraints,
            models.UniqueConstraint(fields=["session", "position"], name="session_item_unique_position"),
        ]

    @property
    def title(self):
        return self.page.page_title

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

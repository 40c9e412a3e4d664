"""A session's copy of the reading list, and what the patient did with each page: the reading record, the
beacon's reports and the questions asked."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from portal.reading.models.pages import PAGE_FIELDS, PageReference
from portal.reading.models.rules import item_done_q, valid_link_q


class ItemState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


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

    session = models.ForeignKey("reading.TreatmentSession", on_delete=models.CASCADE, related_name="items")
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
        # Covers what the dashboard's totals read of each item (item_done_q), so they read no table rows.
        indexes = [
            models.Index(fields=["session", "required", "current_material_version"], name="session_item_completion")
        ]

    # The page's title in the patient's language, when its translation is current (set by
    # portal.reading.selectors for patient pages); else the page's own title.
    title_in_language = None

    @property
    def title(self):
        return self.title_in_language or self.page.page_title

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
        return (
            record is not None
            and record.acknowledged_at is not None
            and (record.acknowledged_version or 0) < self.current_material_version
        )

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
    # The version and hash of the content the patient was shown last (before acknowledging) or acknowledged.
    content_version = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, blank=True)
    acknowledged_version = models.PositiveIntegerField(null=True, blank=True)
    # The language of that text ("en", "es"; "es+en" for a page partly shown in its source language because a
    # translation was missing or out of date; "" for records from before translations), and the version of the
    # translation read (an article read in translation; None otherwise).
    language = models.CharField(max_length=16, blank=True)
    translation_version = models.PositiveIntegerField(null=True, blank=True)
    # Acknowledged, but teach-back questions are still to answer (item_done_q); and whether one needed help
    # (answered wrong twice: the item is done, flagged for staff). See portal.reading.models.checks.
    teach_back_pending = models.BooleanField(default=False)
    teach_back_needed_help = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Covers item_done_q for the dashboard's totals; the beacon never changes these columns.
        indexes = [
            models.Index(
                fields=["item", "acknowledged_at", "acknowledged_version", "teach_back_pending"],
                name="reading_record_done",
            )
        ]

    def __str__(self):
        return f"Reading record for item {self.item_id}"

    @property
    def language_read(self):
        """ "read in Spanish, v3" for staff (the page's version; a translation's own version in brackets)."""
        return describe_language_read(
            self.language, self.acknowledged_version or self.content_version, self.translation_version
        )

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
        from being shown the page to acknowledging it."""
        if self.measured_by_script:
            return self.seconds_visible
        return self.seconds_open_to_acknowledge


def language_name(code):
    """ "Spanish", or "Spanish and English" for "es+en" (in the active language)."""
    from django.utils.translation import get_language_info, gettext

    names = []
    for part in code.split("+"):
        try:
            names.append(str(get_language_info(part)["name_translated"]))
        except KeyError:
            names.append(part)
    separator = " " + gettext("and") + " "
    return separator.join(names)


def describe_language_read(language, version, translation_version=None):
    """ "read in Spanish, v3", "read in Spanish and English, v2", or "v3" when the language is unknown."""
    from django.utils.translation import gettext

    if not version:
        return ""
    if not language:
        return f"v{version}"
    text = gettext("read in %(language)s, v%(version)s") % {"language": language_name(language), "version": version}
    if translation_version:
        text += " " + gettext("(translation v%(version)s)") % {"version": translation_version}
    return text


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


def question_text_key(text):
    """What makes two questions "the same": their words, ignoring case and spacing (SHA-256, so that the
    unique index stays small however long the question)."""
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


class PatientQuestion(models.Model):
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(max_length=2000)
    # question_text_key(text). NULL (not "") for open duplicates stored before migration 0003: a unique index
    # ignores NULLs, so they stay without breaking the rule for new questions.
    text_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at"]
        constraints = [
            # The same open question on the same page is stored once, however many times (or tabs) it is sent.
            models.UniqueConstraint(
                fields=["item", "text_key"],
                condition=Q(answered_at__isnull=True),
                name="patient_question_unique_open_text",
            )
        ]

    def __str__(self):
        return f"Question on item {self.item_id}"

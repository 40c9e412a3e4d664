"""Outgoing messages (the link, reminders) as rows, and the reminder rules of a treatment.

A message row is the source of truth: it is queued in the same transaction as what caused it, a worker
claims it atomically, sends it once and records the outcome. The patient link a message carries is kept only
while the message may still go out, encrypted (portal.reading.messaging.secrets), and wiped once it is final.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from portal.reading.models.treatments import Treatment


def reading_pending_q(session_id_field="session_id"):
    """THE question reminders ask: "is the patient still not ready for the session?", as a filter expression
    for a queryset whose `session_id_field` holds the session's id ("pk" on TreatmentSession): true while
    the session is not ready: the one definition of issue 13 (`SessionQuerySet.not_ready_q`: required pages with
    teach-back, the treatment-day checklist, no open question), so reminders stop exactly when staff see "ready"."""
    from portal.reading.models.sessions import SessionStatus, TreatmentSession  # sessions imports this app's models

    not_ready = TreatmentSession.objects.filter(status=SessionStatus.SCHEDULED).not_ready()
    return Exists(not_ready.filter(pk=OuterRef(session_id_field)))


class MessageKind(models.TextChoices):
    LINK = "link", _("Reading link")
    REMINDER = "reminder", _("Reminder")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ReminderRule(models.Model):
    """Remind the patient `hours_before` the session while its required reading is not done."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reminder_rules")
    hours_before = models.PositiveIntegerField(help_text=_("Hours before the session, e.g. 72 or 24."))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["treatment", "-hours_before"]
        constraints = [models.UniqueConstraint(fields=["treatment", "hours_before"], name="reminder_rule_unique_hours")]

    def __str__(self):
        return f"{self.hours_before} h before"


class OutgoingMessageQuerySet(models.QuerySet):
    def queued(self):
        return self.filter(status=MessageStatus.QUEUED)

    def due(self, now):
        return self.filter(status=MessageStatus.QUEUED, claimed_by="", due_at__lte=now)


class OutgoingMessage(models.Model):
    session = models.ForeignKey("reading.TreatmentSession", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    rule = models.ForeignKey(ReminderRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A plain-words reason, never the provider's text (it can carry an address or number).
    last_error = models.CharField(max_length=200, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    # The link, encrypted, while the message may still be sent; "" once it is final.
    link_secret = models.TextField(blank=True, editable=False)
    # Set by the worker that claimed the row (one batch id); "" while nobody is sending it.
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutgoingMessageQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            # At most one reminder per rule per session, however often anything replans.
            models.UniqueConstraint(
                fields=["session", "rule"], condition=Q(rule__isnull=False), name="message_one_per_rule_per_session"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="message_status_due")]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display()} ({self.get_status_display()})"

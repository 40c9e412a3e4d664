"""Signals of the reading app: what else must follow when a session's time or status changes.

The sender is TreatmentSession. Listeners (outgoing messages, for one) cancel or re-plan what depends on the
session's time, in the same transaction as the change."""

from django.dispatch import Signal

# kwargs: session (the TreatmentSession, already saved), change ("rescheduled", "cancelled" or "no_show").
session_schedule_changed = Signal()

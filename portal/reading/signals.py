"""Signals of the reading app: what else must follow when a session's time or status changes.

The sender is TreatmentSession. Listeners (outgoing messages, for one) cancel or re-plan what depends on the
session's time, in the same transaction as the change."""

from django.dispatch import Signal

# kwargs: session (the TreatmentSession, already saved), change ("rescheduled", "cancelled" or "no_show").
session_schedule_changed = Signal()

# kwargs: session (a TreatmentSession just made from an EHR appointment: HL7 SIU or FHIR; it has no link yet),
# source ("hl7" or "fhir"). Sent once per appointment, in the transaction that made it, so that what gives the
# patient their link and reminders can plan it.
session_imported = Signal()

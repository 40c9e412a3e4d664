"""Appointments from the clinic's EHR: which appointment codes mean which treatment, and every message received.

A session made from an EHR appointment carries its source on TreatmentSession (source, source_system,
external_id, source_updated_at); this module keeps what the interfaces need besides: the code mapping staff
edit in the admin, and one row per HL7 message or FHIR Appointment received, kept for
INTERFACE_MESSAGE_RETENTION_DAYS (purge_interface_messages). A row holds no PHI: the control id, the type,
the result and an error written by us (never a field of the message); the payload is dropped after
processing, or kept encrypted, as the clinic configures (INTERFACE_PAYLOAD_RETENTION).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reading.models.sessions import TreatmentSession
from portal.reading.models.treatments import Treatment


class AppointmentTypeMapping(models.Model):
    """An appointment type, service or resource code of the EHR that means one of our treatments.

    HL7: SCH-8 appointment type, SCH-7 reason, AIS-3 service, AIG-3/AIG-4 resource, AIL-3 location
    (the code's coding system in `system`, e.g. "LOCAL"); FHIR: Appointment.serviceType and appointmentType
    codings (the system URI). An empty system matches the code in any system. Unmapped codes are never guessed."""

    system = models.CharField(
        max_length=200, blank=True, help_text="Coding system (HL7 CE-3 name, FHIR system URI); empty: any."
    )
    code = models.CharField(max_length=100)
    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="appointment_codes")
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True, help_text="What this code is called in the EHR.")

    class Meta:
        ordering = ["system", "code"]
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="appointment_code_unique")]

    def __str__(self):
        return f"{self.system or '*'}|{self.code} → {self.treatment}"


class InterfaceChannel(models.TextChoices):
    HL7 = "hl7", _("HL7 v2")
    FHIR = "fhir", _("FHIR")


class InterfaceResult(models.TextChoices):
    CREATED = "created", _("Session created")
    UPDATED = "updated", _("Session moved")
    CANCELLED = "cancelled", _("Session cancelled")
    NO_SHOW = "no_show", _("Marked no-show")
    UNCHANGED = "unchanged", _("Nothing to change")
    STALE = "stale", _("Older than the last change: ignored")
    IGNORED = "ignored", _("Not for us: ignored")
    REJECTED = "rejected", _("Rejected")


class InterfaceMessageQuerySet(models.QuerySet):
    def received_since(self, since):
        return self.filter(received_at__gte=since)

    def older_than(self, days, now=None):
        return self.filter(received_at__lt=(now or timezone.now()) - timezone.timedelta(days=days))


class InterfaceMessage(models.Model):
    channel = models.CharField(max_length=8, choices=InterfaceChannel.choices)
    control_id = models.CharField(max_length=64, blank=True, help_text="MSH-10, or the FHIR Appointment id.")
    message_type = models.CharField(max_length=32, blank=True, help_text="e.g. SIU^S12, or Appointment.")
    sending_system = models.CharField(max_length=200, blank=True)
    message_time = models.DateTimeField(null=True, blank=True, help_text="MSH-7, or meta.lastUpdated.")
    received_at = models.DateTimeField(default=timezone.now)
    result = models.CharField(max_length=16, choices=InterfaceResult.choices)
    error = models.CharField(max_length=200, blank=True, help_text="Why, in our words (never the message's data).")
    session = models.ForeignKey(
        TreatmentSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="interface_messages"
    )
    payload_encrypted = models.BinaryField(null=True, blank=True, editable=False)

    objects = InterfaceMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["received_at"], name="interface_message_received")]

    def __str__(self):
        return f"{self.message_type or self.channel} {self.control_id}: {self.result}"

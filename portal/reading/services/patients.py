"""Writes of patients: the minimum to recognise a person at the desk."""

from django.db import IntegrityError, transaction

from portal.reading.models import Patient


def patient_upsert(*, reference: str, display_name: str, email: str) -> tuple[Patient, bool]:
    """The patient with this clinic reference, created or brought up to date with this name and email.
    Returns (patient, created). Two imports of the same new patient at once make one row (unique reference)."""
    try:
        with transaction.atomic():
            patient, created = Patient.objects.get_or_create(
                reference=reference, defaults={"display_name": display_name, "email": email}
            )
    except IntegrityError:
        patient, created = Patient.objects.get(reference=reference), False
    if not created and (patient.display_name, patient.email) != (display_name, email):
        patient.display_name, patient.email = display_name, email
        patient.save(update_fields=["display_name", "email"])
    return patient, created

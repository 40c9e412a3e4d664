"""Writes of patients: the minimum to recognise a person at the desk."""

from django.db import IntegrityError, transaction

from portal.reading.models import Patient


def patient_upsert(
    *, reference: str, display_name: str | None, email: str | None, mobile_number: str | None = None
) -> tuple[Patient, bool]:
    """The patient with this clinic reference, created or brought up to date with this name and email.
    Returns (patient, created). Two imports of the same new patient at once make one row (unique reference).

    A field given as None is left as it is (a new patient gets it empty): an EHR feed that may not store names
    or contact details must not erase what the front desk typed."""
    values = {"display_name": display_name, "email": email, "mobile_number": mobile_number}
    given = {field: value for field, value in values.items() if value is not None}
    try:
        with transaction.atomic():
            patient, created = Patient.objects.get_or_create(reference=reference, defaults=given)
    except IntegrityError:
        patient, created = Patient.objects.get(reference=reference), False
    changed = [field for field, value in given.items() if getattr(patient, field) != value]
    if not created and changed:
        for field in changed:
            setattr(patient, field, given[field])
        patient.save(update_fields=changed)
    return patient, created

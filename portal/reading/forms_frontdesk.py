"""Forms of the front-desk page: find a patient, schedule a session (for a found patient or one added inline),
send a link, reschedule. Times are entered in clinic time (settings.TIME_ZONE)."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reading.models import MessageChannel, Patient, Treatment, TreatmentSession

MAX_RESULTS = 20


def _clinic_time(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time), timezone.get_current_timezone())


class _IsoInput:
    """A date or time input that never echoes a value the browser's picker would reject (invalid HTML)."""

    pattern = ""

    def format_value(self, value):
        value = super().format_value(value)
        return value if isinstance(value, str) and re.fullmatch(self.pattern, value) else None


class DateInput(_IsoInput, forms.DateInput):
    input_type, pattern = "date", r"\d{4}-\d{2}-\d{2}"


class TimeInput(_IsoInput, forms.TimeInput):
    input_type, pattern = "time", r"\d{2}:\d{2}(:\d{2})?"


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a patient by reference or name"), max_length=120, required=False)


class WhenFields(forms.Form):
    """A date and a time in clinic time, in the future."""

    date = forms.DateField(label=_("Date"), widget=DateInput(format="%Y-%m-%d"))
    time = forms.TimeField(label=_("Time"), widget=TimeInput(format="%H:%M"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            cleaned["scheduled_at"] = _clinic_time(cleaned["date"], cleaned["time"])
            if cleaned["scheduled_at"] <= timezone.now():
                raise forms.ValidationError(_("Choose a time in the future."))
        return cleaned


class ScheduleForm(WhenFields):
    """A session for a found patient (`patient`) or for one added here (reference and name at least)."""

    patient = forms.ModelChoiceField(
        label=_("Patient"), queryset=Patient.objects.all(), required=False, widget=forms.HiddenInput
    )
    reference = forms.CharField(label=_("Clinic reference"), max_length=64, required=False)
    display_name = forms.CharField(label=_("Name or initials"), max_length=120, required=False)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    mobile_number = forms.RegexField(
        label=_("Mobile number (optional, international form, e.g. +15550100100)"),
        regex=r"^\+[1-9]\d{7,14}$",
        required=False,
        error_messages={"invalid": _("Enter the number in international form: + and 8 to 15 digits.")},
    )
    preferred_language = forms.ChoiceField(label=_("Language of pages and messages"), required=False)
    consents_to_texts = forms.BooleanField(label=_("The patient agrees to text messages"), required=False)
    treatment = forms.ModelChoiceField(label=_("Treatment"), queryset=Treatment.objects.filter(is_active=True))

    field_order = ["patient", "reference", "display_name", "email", "mobile_number", "preferred_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = Patient._meta.get_field("preferred_language").choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("patient") is None:
            reference, name = cleaned.get("reference", "").strip(), cleaned.get("display_name", "").strip()
            if not reference or not name:
                raise forms.ValidationError(
                    _("Choose a patient found above, or enter a new patient's reference and name.")
                )
            if Patient.objects.filter(reference=reference).exists():
                self.add_error("reference", _("A patient with this reference exists: find them above."))
        patient, treatment, when = cleaned.get("patient"), cleaned.get("treatment"), cleaned.get("scheduled_at")
        if (
            patient
            and treatment
            and when
            and TreatmentSession.objects.filter(patient=patient, treatment=treatment, scheduled_at=when).exists()
        ):
            raise forms.ValidationError(_("This patient already has this treatment at that time."))
        return cleaned

    def new_patient_fields(self):
        data = self.cleaned_data
        return {
            "reference": data["reference"].strip(),
            "display_name": data["display_name"].strip(),
            "email": data.get("email", ""),
            "mobile_number": data.get("mobile_number", ""),
            "preferred_language": data.get("preferred_language")
            or Patient._meta.get_field("preferred_language").default,
            "consents_to_texts": data.get("consents_to_texts", False),
        }


class RescheduleForm(WhenFields):
    pass


class SendLinkForm(forms.Form):
    """Send the link just shown (`token`), or, without one, a new link (the old one stops working)."""

    channel = forms.ChoiceField(choices=MessageChannel.choices)
    token = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

"""Forms for patient pages, the staff dashboard and the session import. Every input is validated here."""

import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.reading.models import PAGE_FIELDS, Patient, PatientQuestion, ReadingListItem, Treatment

DEFAULT_RANGE_DAYS = 7
MAX_RANGE_DAYS = 366
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
MAX_SECONDS_PER_REPORT = 3600
# A signed portal.reading.shown value is about 150 characters.
MAX_SHOWN_LENGTH = 512


class DateRangeForm(forms.Form):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD, both days included, clinic local time. Default: today and the next 7 days.

    The fields are named "from" and "to" (the URL's parameters); "from" is a Python keyword, so they are
    added in __init__."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, input_formats=["%Y-%m-%d"], widget=date_input
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, input_formats=["%Y-%m-%d"], widget=date_input
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("from") or timezone.localdate()
        end = cleaned.get("to") or start + datetime.timedelta(days=DEFAULT_RANGE_DAYS)
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (end - start).days > MAX_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a range of at most %(days)d days.") % {"days": MAX_RANGE_DAYS})
        cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def bounds(self):
        """[start, end) as aware datetimes: midnight clinic time on the first day to midnight after the last."""
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.cleaned_data["from"], datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(
            self.cleaned_data["to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        return start, end

    def as_filters(self):
        return {"from": self.cleaned_data["from"].isoformat(), "to": self.cleaned_data["to"].isoformat()}


class ProgressReportForm(forms.Form):
    """One beacon report from static/js/progress.js."""

    client_id = forms.RegexField(regex=CLIENT_ID_PATTERN)
    seconds = forms.IntegerField(min_value=0, max_value=MAX_SECONDS_PER_REPORT)
    reached_end = forms.TypedChoiceField(
        choices=[("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")],
        coerce=lambda value: value in ("true", "1"),
    )
    # What the page showed (portal.reading.shown), checked by the view against the item.
    shown = forms.CharField(required=False, max_length=MAX_SHOWN_LENGTH)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=PatientQuestion._meta.get_field("text").max_length,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write your question before sending it.")},
    )


class LinkEmailForm(forms.Form):
    """The link shown once on the staff page is posted back to be emailed; it must be the session's current link."""

    token = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        cleaned = super().clean()
        if not self.session.patient.email:
            raise forms.ValidationError(_("This patient has no email address."))
        token = cleaned.get("token")
        if not token or not self.session.link_matches(token):
            raise forms.ValidationError(_("That link is no longer current. Issue a new link and send that one."))
        return cleaned


# Import ---------------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("patient_reference", "patient_name", "email", "treatment", "scheduled_at")


class ClinicDateTimeField(forms.Field):
    """ISO 8601 date and time; without an offset it is clinic local time (TIME_ZONE)."""

    default_error_messages = {
        "invalid": _("Not an ISO 8601 date and time (e.g. 2026-12-01T10:00 or 2026-12-01T10:00:00-05:00)."),
    }

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if "T" not in value and " " not in value:
            raise forms.ValidationError(_("A time is needed as well as a date."), code="no_time")
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return parsed


class ImportRowForm(forms.Form):
    patient_reference = forms.CharField(max_length=Patient._meta.get_field("reference").max_length)
    patient_name = forms.CharField(max_length=Patient._meta.get_field("display_name").max_length)
    email = forms.EmailField(required=False)
    treatment = forms.SlugField(max_length=Treatment._meta.get_field("slug").max_length)
    scheduled_at = ClinicDateTimeField()

    def clean_treatment(self):
        slug = self.cleaned_data["treatment"]
        try:
            return Treatment.objects.get(slug=slug, is_active=True)
        except Treatment.DoesNotExist:
            raise forms.ValidationError(_("No active treatment with the slug %(slug)r.") % {"slug": slug}) from None


class ReadingListItemForm(forms.ModelForm):
    """A reading-list row in the treatment admin: exactly one page (an article or an FAQ topic)."""

    class Meta:
        model = ReadingListItem
        fields = ("position", *PAGE_FIELDS, "required", "frequency")

    def clean(self):
        cleaned = super().clean()
        if sum(1 for field in PAGE_FIELDS if cleaned.get(field)) != 1:
            raise forms.ValidationError(
                _("Choose either an article or an FAQ topic for each row (one of them, not both).")
            )
        return cleaned

"""The forms of the workflow steps that ask for input: approve and send back (portal.content.admin.steps)."""

from django import forms
from django.conf import settings
from django.utils import timezone

from portal.content.workflow import approval_input_problems, content_step

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(**kwargs):
    return forms.DateTimeField(
        required=False,
        input_formats=[DATETIME_INPUT_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT),
        **kwargs,
    )


class ApproveForm(forms.Form):
    checked_against = forms.CharField(
        max_length=200,
        label="Checked against",
        help_text="The source you checked this page against, with its revision or date, "
        "e.g. “SPRAVATO US Prescribing Information, rev. 01/2025”.",
    )
    material_change = forms.BooleanField(
        required=False,
        label="Patients must re-read this page",
        help_text="Tick when the change matters for safety or consent. Patients who confirmed reading an earlier "
        "version must read it again before their upcoming sessions. Leave it unticked for wording and typo fixes: "
        "then nobody is asked to re-read.",
    )
    publish_at = _datetime_field(
        label="Publish at",
        help_text="Leave empty to publish when you approve. A later time keeps the approved text waiting until then.",
    )
    expire_at = _datetime_field(label="Expire at", help_text="Optional: patients stop seeing the page at this time.")
    next_review_due = forms.DateField(
        label="Next review due",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When a clinician must check this page again.",
    )
    expected_hash = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, content, user, **kwargs):
        """The approval of `content` by `user`; unbound, it starts from the page's present schedule."""
        kwargs.setdefault("initial", self.initial_for(content))
        super().__init__(*args, **kwargs)
        self.content = content
        self.user = user
        if content.published_version == 0 or not content.has_unpublished_changes:
            del self.fields["material_change"]  # nobody has read anything this approval would change

    @staticmethod
    def initial_for(content):
        now = timezone.now()
        return {
            "checked_against": content.checked_against,
            "publish_at": timezone.localtime(content.publish_at)
            if content.publish_at and content.publish_at > now
            else None,
            "expire_at": timezone.localtime(content.expire_at) if content.expire_at else None,
            "next_review_due": timezone.localdate(now) + timezone.timedelta(days=settings.CONTENT_REVIEW_INTERVAL_DAYS),
            "expected_hash": content.working_hash(),
        }

    def clean(self):
        cleaned = super().clean()
        step = content_step(content=self.content, user=self.user, name="approve")
        if not step.allowed:
            raise forms.ValidationError(step.reason)
        problems = approval_input_problems(
            checked_against=cleaned.get("checked_against", ""),
            publish_at=cleaned.get("publish_at"),
            expire_at=cleaned.get("expire_at"),
            next_review_due=cleaned.get("next_review_due"),
        )
        for problem in problems:
            if problem.field not in self.errors:  # e.g. "required" is said already
                self.add_error(problem.field, problem.field_message)
        return cleaned


class RejectForm(forms.Form):
    note = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The editor sees this note on the page.",
    )

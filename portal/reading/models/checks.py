"""Teach-back answers and the treatment-day checklist (issue 13).

- A page's teach-back questions are part of its content (portal.content.teachback). After "I have read and
  understood this" the patient answers them; each try is a TeachBackAnswer row. A question is *resolved* when it
  was answered right, or after TEACH_BACK_TRIES wrong tries (then the item is done but flagged for staff). The
  item's ReadingRecord keeps `teach_back_pending` (acknowledged, questions still open), which item_done_q reads.
- A treatment's checklist is a few ChecklistItem rows, each reviewed like content: editors change `text`,
  patients see only `approved_text`, copied from `text` by a reviewer who did not write it
  (services.readiness.checklist_item_approve). A patient's answer per item and session is a ChecklistAnswer;
  "Not yet, I need help" also puts a PatientQuestion in the staff queue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TEACH_BACK_TRIES = 2


class TeachBackAnswer(models.Model):
    """One try at one teach-back question, with what was asked and chosen, kept as shown."""

    item = models.ForeignKey("reading.SessionItem", on_delete=models.CASCADE, related_name="teach_back_answers")
    question_key = models.CharField(max_length=32, help_text="portal.content.teachback.question_key")
    question = models.CharField(max_length=300)
    attempt = models.PositiveSmallIntegerField()
    choice = models.PositiveSmallIntegerField()
    choice_text = models.CharField(max_length=300)
    correct = models.BooleanField()
    content_version = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "question_key", "attempt"], name="teach_back_answer_unique_try")
        ]

    def __str__(self):
        return f"Teach-back try {self.attempt} on item {self.item_id}"


def teach_back_progress(questions, answers):
    """Per question (in order): dict(question, tries (its TeachBackAnswer rows, oldest first), resolved, correct,
    needed_help). `answers` are the item's TeachBackAnswer rows."""
    by_key = {}
    for answer in sorted(answers, key=lambda answer: answer.attempt):
        by_key.setdefault(answer.question_key, []).append(answer)
    progress = []
    for question in questions:
        tries = by_key.get(question["key"], [])
        correct = any(answer.correct for answer in tries)
        needed_help = not correct and len(tries) >= TEACH_BACK_TRIES
        progress.append(
            {
                "question": question,
                "tries": tries,
                "correct": correct,
                "needed_help": needed_help,
                "resolved": correct or needed_help,
                "last": tries[-1] if tries else None,
            }
        )
    return progress


class ChecklistItemQuerySet(models.QuerySet):
    def live(self):
        """Items patients see (approved at least once)."""
        return self.exclude(approved_text="")


class ChecklistItem(models.Model):
    """One thing to have sorted before the treatment day ("A ride home, and no driving until the next day")."""

    treatment = models.ForeignKey("reading.Treatment", on_delete=models.CASCADE, related_name="checklist_items")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(
        max_length=200, help_text=_("What the patient confirms. Patients see it once a clinical reviewer approves it.")
    )
    short_label = models.CharField(
        max_length=60, help_text=_("For staff, e.g. “ride home”: the dashboard says “no ride home yet”.")
    )
    approved_text = models.CharField(max_length=200, blank=True, editable=False)
    approved_short_label = models.CharField(max_length=60, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["treatment", "position", "pk"]

    def __str__(self):
        return self.text

    @property
    def is_live(self):
        return bool(self.approved_text)

    @property
    def has_unapproved_changes(self):
        return (self.text, self.short_label) != (self.approved_text, self.approved_short_label)


class ChecklistAnswer(models.Model):
    """A patient's answer to one checklist item for one session (changed as often as they like; latest kept)."""

    session = models.ForeignKey("reading.TreatmentSession", on_delete=models.CASCADE, related_name="checklist_answers")
    checklist_item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="answers")
    ready = models.BooleanField(help_text="“Yes” (True) or “Not yet, I need help” (False).")
    text = models.CharField(max_length=200, help_text="The approved text the patient answered.")
    answered_at = models.DateTimeField()
    question = models.ForeignKey(
        "reading.PatientQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session", "checklist_item__position", "checklist_item__pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "checklist_item"], name="checklist_answer_unique_item")
        ]

    def __str__(self):
        return f"Checklist answer for session {self.session_id}"

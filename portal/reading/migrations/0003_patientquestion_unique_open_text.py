"""The same open question on the same page is stored once.

Adds PatientQuestion.text_key (SHA-256 of the question's words, ignoring case and spacing), fills it for
the questions already stored, then makes it unique per item among open questions. Open duplicates stored
before this migration keep an empty key (the unique index ignores it), so no patient's question is lost.
"""

import hashlib

from django.db import migrations, models


def text_key(text):
    # A copy of portal.reading.models.question_text_key as it is today (migrations must not follow code changes).
    return hashlib.sha256(" ".join(text.split()).casefold().encode()).hexdigest()


def fill_text_keys(apps, schema_editor):
    PatientQuestion = apps.get_model("reading", "PatientQuestion")
    seen_open = set()
    for question in PatientQuestion.objects.order_by("asked_at", "pk").iterator():
        key = text_key(question.text)
        if question.answered_at is None:
            if (question.item_id, key) in seen_open:
                continue  # a duplicate open question from before: kept, without a key
            seen_open.add((question.item_id, key))
        PatientQuestion.objects.filter(pk=question.pk).update(text_key=key)


class Migration(migrations.Migration):
    dependencies = [("reading", "0002_staff_groups")]

    operations = [
        migrations.AddField(
            model_name="patientquestion",
            name="text_key",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_text_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="patientquestion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("answered_at__isnull", True)),
                fields=("item", "text_key"),
                name="patient_question_unique_open_text",
            ),
        ),
    ]

"""Issue 13: teach-back answers (each try kept, with the question and answer as shown), the flag on a reading record
that keeps an acknowledged page "not done" until its questions are answered, and the treatment-day checklist
(items reviewed like content; the patient's answer per session). Existing records get teach_back_pending=False:
pages acknowledged before questions existed stay done."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reading', '0007_outgoing_messages'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='readingrecord',
            name='teach_back_needed_help',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='readingrecord',
            name='teach_back_pending',
            field=models.BooleanField(default=False),
        ),
        migrations.CreateModel(
            name='ChecklistItem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0)),
                ('text', models.CharField(help_text='What the patient confirms. Patients see it once a clinical reviewer approves it.', max_length=200)),
                ('short_label', models.CharField(help_text='For staff, e.g. “ride home”: the dashboard says “no ride home yet”.', max_length=60)),
                ('approved_text', models.CharField(blank=True, editable=False, max_length=200)),
                ('approved_short_label', models.CharField(blank=True, editable=False, max_length=60)),
                ('approved_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('approved_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('last_edited_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('treatment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checklist_items', to='reading.treatment')),
            ],
            options={
                'ordering': ['treatment', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ChecklistAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ready', models.BooleanField(help_text='“Yes” (True) or “Not yet, I need help” (False).')),
                ('text', models.CharField(help_text='The approved text the patient answered.', max_length=200)),
                ('answered_at', models.DateTimeField()),
                ('question', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reading.patientquestion')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checklist_answers', to='reading.treatmentsession')),
                ('checklist_item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='reading.checklistitem')),
            ],
            options={
                'ordering': ['session', 'checklist_item__position', 'checklist_item__pk'],
                'constraints': [models.UniqueConstraint(fields=('session', 'checklist_item'), name='checklist_answer_unique_item')],
            },
        ),
        migrations.CreateModel(
            name='TeachBackAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('question_key', models.CharField(help_text='portal.content.teachback.question_key', max_length=32)),
                ('question', models.CharField(max_length=300)),
                ('attempt', models.PositiveSmallIntegerField()),
                ('choice', models.PositiveSmallIntegerField()),
                ('choice_text', models.CharField(max_length=300)),
                ('correct', models.BooleanField()),
                ('content_version', models.PositiveIntegerField(default=0)),
                ('answered_at', models.DateTimeField()),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='teach_back_answers', to='reading.sessionitem')),
            ],
            options={
                'ordering': ['item', 'answered_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('item', 'question_key', 'attempt'), name='teach_back_answer_unique_try')],
            },
        ),
        # item_done_q now reads teach_back_pending too: the dashboard's covering index takes it in.
        migrations.RemoveIndex(
            model_name="readingrecord",
            name="reading_record_done",
        ),
        migrations.AddIndex(
            model_name="readingrecord",
            index=models.Index(
                fields=["item", "acknowledged_at", "acknowledged_version", "teach_back_pending"],
                name="reading_record_done",
            ),
        ),
    ]

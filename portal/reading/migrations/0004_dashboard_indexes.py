"""Indexes for the staff dashboard and CSV: sessions by date, and covering indexes for the completion totals
(item_done_q reads only index entries). Issue 10: dashboard and CSV flat as sessions grow."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0001_initial'),
        ('faq', '0001_initial'),
        ('reading', '0003_patientquestion_unique_open_text'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='readingrecord',
            index=models.Index(fields=['item', 'acknowledged_at', 'acknowledged_version'], name='reading_record_done'),
        ),
        migrations.AddIndex(
            model_name='sessionitem',
            index=models.Index(fields=['session', 'required', 'current_material_version'], name='session_item_completion'),
        ),
        migrations.AddIndex(
            model_name='treatmentsession',
            index=models.Index(fields=['scheduled_at', 'id'], name='session_scheduled_at'),
        ),
    ]

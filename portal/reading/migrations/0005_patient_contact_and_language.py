"""Issues 11 and 12: how to reach a patient (email, mobile, consent to texts, STOP) and the language they read in."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reading', '0004_dashboard_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='patient',
            name='consents_to_texts',
            field=models.BooleanField(default=False, help_text='The patient agreed to receive text messages about their reading.'),
        ),
        migrations.AddField(
            model_name='patient',
            name='mobile_number',
            field=models.CharField(blank=True, help_text='Optional: a mobile number for text messages, in international form.', max_length=20),
        ),
        migrations.AddField(
            model_name='patient',
            name='preferred_language',
            field=models.CharField(choices=[('en', 'English'), ('es', 'Español')], default='en', help_text='The language of their pages and messages.', max_length=8),
        ),
        migrations.AddField(
            model_name='patient',
            name='texts_opted_out_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the patient replied STOP: no more texts.', null=True),
        ),
        migrations.AlterField(
            model_name='patient',
            name='email',
            field=models.EmailField(blank=True, help_text='Optional: only used to send reading links and reminders.', max_length=254),
        ),
    ]

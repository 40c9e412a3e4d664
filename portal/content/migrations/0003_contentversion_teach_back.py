"""Teach-back questions are part of a page's content (issue 13): their source on the working copy, the parsed live
questions patients answer, and the approved source kept with each version."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('content', '0002_contenteditor'),
    ]

    operations = [
        migrations.AddField(
            model_name='contentversion',
            name='teach_back',
            field=models.TextField(blank=True, help_text="The teach-back questions' source, as approved."),
        ),
    ]

"""Kept versions of a translation say which version of its source they translate (issue 11: translations are
reviewed content; reverting to a version brings back the source version it was made from)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_contentversion_teach_back"),
    ]

    operations = [
        migrations.AddField(
            model_name="contentversion",
            name="source_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]

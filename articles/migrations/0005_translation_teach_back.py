"""Translations carry their own teach-back questions, reviewed with the translated text (issues 11 and 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0004_article_translation'),
    ]

    operations = [
        migrations.AddField(
            model_name='articletranslation',
            name='live_teach_back',
            field=models.JSONField(blank=True, default=list, editable=False, help_text="The live version's teach-back questions, parsed."),
        ),
        migrations.AddField(
            model_name='articletranslation',
            name='teach_back',
            field=models.TextField(blank=True, help_text="0 to 3 questions patients answer after reading. One item per line: “? question”, “- wrong answer”, “+ the right answer” (exactly one), “= a one-sentence explanation”, “# the heading of the section that answers it” (one of this page's ## headings).", verbose_name='teach-back questions'),
        ),
    ]

"""Teach-back questions are part of a page's content (issue 13): their source on the working copy, the parsed live
questions patients answer, and the approved source kept with each version."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('faq', '0002_topic_heading_review_and_fixed_addresses'),
    ]

    operations = [
        migrations.AddField(
            model_name='faqentry',
            name='live_teach_back',
            field=models.JSONField(blank=True, default=list, editable=False, help_text="The live version's teach-back questions, parsed."),
        ),
        migrations.AddField(
            model_name='faqentry',
            name='teach_back',
            field=models.TextField(blank=True, help_text="0 to 3 questions patients answer after reading. One item per line: “? question”, “- wrong answer”, “+ the right answer” (exactly one), “= a one-sentence explanation”, “# the heading of the section that answers it” (one of this page's ## headings).", verbose_name='teach-back questions'),
        ),
        migrations.AddField(
            model_name='faqtopicheading',
            name='live_teach_back',
            field=models.JSONField(blank=True, default=list, editable=False, help_text="The live version's teach-back questions, parsed."),
        ),
        migrations.AddField(
            model_name='faqtopicheading',
            name='teach_back',
            field=models.TextField(blank=True, help_text="0 to 3 questions patients answer after reading. One item per line: “? question”, “- wrong answer”, “+ the right answer” (exactly one), “= a one-sentence explanation”, “# the heading of the section that answers it” (one of this page's ## headings).", verbose_name='teach-back questions'),
        ),
    ]

"""FAQ translations (issue 11): FAQ entries and topic titles/introductions in another language, reviewed,
versioned and kept in step with the source version they were made from."""

import django.db.models.deletion
import markdownx.models
import portal.content.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('faq', '0003_teach_back'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FaqEntryTranslation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('scheduled', 'Approved, scheduled'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=16)),
                ('body_html', models.TextField(blank=True, editable=False)),
                ('toc', models.JSONField(blank=True, default=list, editable=False)),
                ('word_count', models.PositiveIntegerField(default=0, editable=False)),
                ('reading_minutes', models.PositiveIntegerField(default=1, editable=False)),
                ('readability_grade', models.FloatField(blank=True, editable=False, null=True)),
                ('live_title', models.CharField(blank=True, editable=False, max_length=300)),
                ('live_html', models.TextField(blank=True, editable=False)),
                ('live_text', models.TextField(blank=True, editable=False, help_text='Plain text of the live version, for search.')),
                ('live_toc', models.JSONField(blank=True, default=list, editable=False)),
                ('live_word_count', models.PositiveIntegerField(default=0, editable=False)),
                ('live_reading_minutes', models.PositiveIntegerField(default=1, editable=False)),
                ('published_version', models.PositiveIntegerField(default=0, editable=False)),
                ('material_version', models.PositiveIntegerField(default=0, editable=False, help_text='Latest version whose approval asked patients to re-read.')),
                ('content_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, editable=False, help_text='When patients stopped seeing this page (archived or expired); cleared by the next approval.', null=True)),
                ('publish_at', models.DateTimeField(blank=True, help_text='Publish automatically at this time once approved.', null=True)),
                ('expire_at', models.DateTimeField(blank=True, help_text='Stop showing this page to patients at this time.', null=True)),
                ('checked_against', models.CharField(blank=True, help_text="Source checked, e.g. 'SPRAVATO US Prescribing Information, rev. 01/2025'.", max_length=200)),
                ('last_reviewed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('next_review_due', models.DateField(blank=True, null=True)),
                ('submitted_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('review_note', models.TextField(blank=True, editable=False, help_text='Why a reviewer sent the page back to draft.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('language', models.CharField(choices=portal.content.models.translation_languages, max_length=8)),
                ('source_version', models.PositiveIntegerField(default=0, help_text='The published version of the source this text translates.')),
                ('live_source_version', models.PositiveIntegerField(default=0, editable=False)),
                ('live_source_material_version', models.PositiveIntegerField(default=0, editable=False)),
                ('question', models.CharField(max_length=300)),
                ('answer', markdownx.models.MarkdownxField()),
                ('approved_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('last_edited_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='translations', to='faq.faqentry')),
                ('submitted_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'FAQ entry translation',
                'ordering': ['source__topic', 'source__position', 'language'],
                'constraints': [models.UniqueConstraint(fields=('source', 'language'), name='faq_entry_translation_unique_language')],
            },
        ),
        migrations.CreateModel(
            name='FaqTopicHeadingTranslation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('scheduled', 'Approved, scheduled'), ('published', 'Published'), ('archived', 'Archived')], default='draft', max_length=16)),
                ('body_html', models.TextField(blank=True, editable=False)),
                ('toc', models.JSONField(blank=True, default=list, editable=False)),
                ('word_count', models.PositiveIntegerField(default=0, editable=False)),
                ('reading_minutes', models.PositiveIntegerField(default=1, editable=False)),
                ('readability_grade', models.FloatField(blank=True, editable=False, null=True)),
                ('live_title', models.CharField(blank=True, editable=False, max_length=300)),
                ('live_html', models.TextField(blank=True, editable=False)),
                ('live_text', models.TextField(blank=True, editable=False, help_text='Plain text of the live version, for search.')),
                ('live_toc', models.JSONField(blank=True, default=list, editable=False)),
                ('live_word_count', models.PositiveIntegerField(default=0, editable=False)),
                ('live_reading_minutes', models.PositiveIntegerField(default=1, editable=False)),
                ('published_version', models.PositiveIntegerField(default=0, editable=False)),
                ('material_version', models.PositiveIntegerField(default=0, editable=False, help_text='Latest version whose approval asked patients to re-read.')),
                ('content_hash', models.CharField(blank=True, editable=False, max_length=64)),
                ('published_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('withdrawn_at', models.DateTimeField(blank=True, editable=False, help_text='When patients stopped seeing this page (archived or expired); cleared by the next approval.', null=True)),
                ('publish_at', models.DateTimeField(blank=True, help_text='Publish automatically at this time once approved.', null=True)),
                ('expire_at', models.DateTimeField(blank=True, help_text='Stop showing this page to patients at this time.', null=True)),
                ('checked_against', models.CharField(blank=True, help_text="Source checked, e.g. 'SPRAVATO US Prescribing Information, rev. 01/2025'.", max_length=200)),
                ('last_reviewed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('next_review_due', models.DateField(blank=True, null=True)),
                ('submitted_at', models.DateTimeField(blank=True, editable=False, null=True)),
                ('review_note', models.TextField(blank=True, editable=False, help_text='Why a reviewer sent the page back to draft.')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('language', models.CharField(choices=portal.content.models.translation_languages, max_length=8)),
                ('source_version', models.PositiveIntegerField(default=0, help_text='The published version of the source this text translates.')),
                ('live_source_version', models.PositiveIntegerField(default=0, editable=False)),
                ('live_source_material_version', models.PositiveIntegerField(default=0, editable=False)),
                ('title', models.CharField(help_text="The topic page's title.", max_length=200)),
                ('intro', models.TextField(blank=True, help_text='Plain text shown above the questions.')),
                ('live_intro', models.TextField(blank=True, editable=False)),
                ('approved_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('last_edited_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='translations', to='faq.faqtopicheading')),
                ('submitted_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'FAQ topic title translation',
                'constraints': [models.UniqueConstraint(fields=('source', 'language'), name='faq_topic_heading_translation_unique_language')],
            },
        ),
    ]

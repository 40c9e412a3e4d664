"""Issue 11, content translations: reading records say in which language (and which translation version) a page
was read; the Editor and Clinical reviewer groups may write and review article and FAQ entry translations as they
do their sources (the groups are made in 0002_staff_groups)."""

from django.contrib.auth.management import create_permissions

from django.db import migrations, models

TRANSLATIONS = [
    ("articles", "add_articletranslation"), ("articles", "change_articletranslation"),
    ("articles", "view_articletranslation"),
    ("faq", "add_faqentrytranslation"), ("faq", "change_faqentrytranslation"), ("faq", "view_faqentrytranslation"),
    ("faq", "add_faqtopicheadingtranslation"), ("faq", "change_faqtopicheadingtranslation"),
    ("faq", "view_faqtopicheadingtranslation"),
]  # fmt: skip


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in TRANSLATIONS
    ]
    for group in Group.objects.filter(name__in=["Editor", "Clinical reviewer"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codenames = [codename for _, codename in TRANSLATIONS]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Clinical reviewer"]):
        group.permissions.remove(*Permission.objects.filter(codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("reading", "0008_teach_back_and_checklist"),
        ("articles", "0004_article_translation"),
        ("faq", "0004_faq_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="readingrecord",
            name="language",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="readingrecord",
            name="translation_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(grant, revoke),
    ]

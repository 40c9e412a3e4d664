"""Staff groups and their permissions.

- Editor: writes articles and FAQ (add/change/view), sees their kept versions; never sees patients.
- Clinical reviewer: what an editor may do, and approves content for patients (content.approve_content).
- Clinic staff: patients, sessions, treatments and reading lists, patient questions, and the dashboard
  (reading.view_patient_data).
- Privacy officer: reads the audit log of staff access to patient data (audit.view_auditevent), nothing else.

Permissions are normally created by a post_migrate signal, i.e. after all migrations have run; this
migration creates them first (create_permissions), so it works on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = [
    ("articles", "add_article"), ("articles", "change_article"), ("articles", "view_article"),
    ("faq", "add_faqtopic"), ("faq", "change_faqtopic"), ("faq", "view_faqtopic"),
    ("faq", "add_faqentry"), ("faq", "change_faqentry"), ("faq", "view_faqentry"),
    ("faq", "change_faqtopicheading"), ("faq", "view_faqtopicheading"),
    ("content", "view_contentversion"),
]
GROUPS = {
    "Editor": CONTENT,
    "Clinical reviewer": [*CONTENT, ("content", "approve_content")],
    "Clinic staff": [
        ("reading", "view_patient_data"),
        ("reading", "add_patient"), ("reading", "change_patient"), ("reading", "view_patient"),
        ("reading", "add_treatmentsession"), ("reading", "change_treatmentsession"), ("reading", "view_treatmentsession"),
        ("reading", "add_treatment"), ("reading", "change_treatment"), ("reading", "view_treatment"),
        ("reading", "add_readinglistitem"), ("reading", "change_readinglistitem"), ("reading", "view_readinglistitem"),
        ("reading", "delete_readinglistitem"),
        ("reading", "view_sessionitem"), ("reading", "view_readingrecord"), ("reading", "view_patientquestion"),
    ],
    "Privacy officer": [("audit", "view_auditevent")],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, codename in wanted:
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reading", "0001_initial"),
        ("articles", "0001_initial"),
        ("faq", "0002_topic_heading_review_and_fixed_addresses"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

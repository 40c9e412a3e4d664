"""Chain every audit event to the one before it: previous_hash and hash (portal.audit.chain).

Events already in the log are chained in id order, as they are; new ones are chained by AuditEvent.save.
previous_hash is unique: only one event can follow any given event.
"""

from django.db import migrations, models

from portal.audit.chain import GENESIS, event_hash


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias)
    previous = GENESIS
    for event in events.order_by("pk").iterator(chunk_size=2000):
        current = event_hash(previous, vars(event))
        events.filter(pk=event.pk).update(previous_hash=previous, hash=current)
        previous = current


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]

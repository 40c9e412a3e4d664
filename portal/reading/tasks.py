"""Tasks of the reading app (django-tasks; the database backend, run by `manage.py db_worker`).

The task only wakes the sender: the OutgoingMessage rows are the queue and the record, and the sender claims them
atomically (portal.reading.messaging.sender), so a task run twice, or by two workers at once, sends nothing
twice. A wake is enqueued, in the same transaction, for each message's due time (and each retry's)."""

import datetime

from django_tasks import task


@task()
def send_due_messages() -> dict:
    from portal.reading.messaging.sender import send_due_messages as send

    return send()


def wake_sender_at(when: datetime.datetime | None = None) -> None:
    """Have a worker run the sender at `when` (now if None)."""
    (send_due_messages.using(run_after=when) if when else send_due_messages).enqueue()

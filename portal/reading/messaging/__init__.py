"""Sending what the clinic tells patients: email through Django's email backends, texts through an SMS backend
(console or Twilio), never in the clinic's quiet hours, with retries and backoff.

portal.reading.services.messages queues rows (portal.reading.models.OutgoingMessage); the worker
(portal.reading.tasks, run by `manage.py db_worker`) calls `sender.send_due_messages`, which claims due rows
atomically, so two workers never send the same message.
"""

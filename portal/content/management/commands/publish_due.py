"""Publish approved pages whose publish time has come and withdraw pages past their expiry.

Run it from cron every minute (docs/governance.md):

    * * * * *  cd /srv/portal && .venv/bin/python manage.py publish_due

Idempotent and safe to run on several servers at once: each page is claimed by a conditional UPDATE
in its own transaction (portal.content.services.content_publish_due).
"""

from django.core.management.base import BaseCommand

from portal.content.services import content_publish_due


class Command(BaseCommand):
    help = "Publish approved pages whose publish time has come and withdraw pages whose expiry has passed."

    def handle(self, *args, **options):
        outcomes = content_publish_due()
        for outcome in outcomes:
            style = self.style.WARNING if outcome.action == "skipped" else self.style.SUCCESS
            self.stdout.write(style(str(outcome)))
        if not outcomes and options["verbosity"] >= 2:  # cron mails any output: stay quiet by default
            self.stdout.write("Nothing due.")

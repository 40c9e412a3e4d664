from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from portal.demo.loader import EDITOR, REVIEWER, DemoSetupError, demo_accounts_reset, demo_content_load
from portal.demo.sessions import create_demo_sessions


class Command(BaseCommand):
    help = (
        "Load the demo: Spravato sample articles and FAQ, one staff account per role, a demo patient and session. "
        "Safe to run again: nothing is duplicated; a page is published again (as a new version, through the "
        "reviewer) only when its source file in portal/demo/ changed, and a page staff changed in the admin is "
        "left alone. Every run gives the demo accounts (editor, reviewer, frontdesk, admin) new random passwords "
        "and prints them. Refuses to run with DEBUG off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (e.g. a staging server). Never use it where real patients are served.",
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Where the portal runs, for the links printed at the end (default: settings.PORTAL_BASE_URL).",
        )

    def handle(self, *args, force, base_url, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo adds demo accounts with known passwords and sample patients: it only runs with "
                "DJANGO_DEBUG=true. Add --force to run it anyway on a server without real patients."
            )
        base_url = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
        try:
            with transaction.atomic():
                accounts = demo_accounts_reset()
                by_name = {account.user.get_username(): account.user for account in accounts}
                outcomes = demo_content_load(editor=by_name[EDITOR], reviewer=by_name[REVIEWER])
        except DemoSetupError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(self.style.MIGRATE_HEADING("Demo content (sample text, not medical advice):"))
        for outcome in outcomes:
            self.stdout.write(f"  {outcome.kind} {outcome.label!r}: {outcome.describe()}")
        counts = {name: sum(1 for o in outcomes if o.outcome == name) for name in ("created", "updated", "unchanged")}
        kept = sum(1 for o in outcomes if o.outcome == "kept")
        self.stdout.write(
            f"  {len(outcomes)} pages: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {kept} left as changed in the admin."
        )

        self.stdout.write(self.style.MIGRATE_HEADING("Demo staff accounts (new passwords on every run):"))
        width = max(len(account.user.get_username()) for account in accounts)
        for account in accounts:
            self.stdout.write(f"  {account.user.get_username():<{width}}  {account.password}  ({account.role})")
        self.stdout.write(f"  Log in at {base_url}{reverse('admin:index')}")
        self.stdout.write(f"  Front desk: {base_url}{reverse('staff:frontdesk')}")
        self.stdout.write(f"  Staff dashboard: {base_url}{reverse('staff:dashboard')}")
        create_demo_sessions(self.stdout, base_url=base_url)

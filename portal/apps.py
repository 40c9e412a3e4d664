from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from django.contrib import admin
        from django.contrib.auth.signals import user_login_failed

        from portal import auth, checks, page_cache  # noqa: F401 - checks registers the deploy checks

        page_cache.connect_signals()
        # The admin's login is the only login: its form carries the throttle (portal.auth).
        admin.site.login_form = auth.ThrottledAdminAuthenticationForm
        user_login_failed.connect(auth.record_failed_login, dispatch_uid="portal.auth.record_failed_login")

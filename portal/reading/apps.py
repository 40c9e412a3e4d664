from django.apps import AppConfig


class ReadingConfig(AppConfig):
    name = "portal.reading"
    label = "reading"
    verbose_name = "Patients and sessions"

    def ready(self):
        from portal.reading import receivers  # noqa: F401 - connects to portal.content's signals

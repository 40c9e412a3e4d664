from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "portal.content"
    label = "content"
    verbose_name = "Content review"

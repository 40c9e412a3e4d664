from django.urls import path

from faq import views
from faq.models import FaqEntryTranslation
from portal.content.views import TranslationPreviewView

app_name = "faq"
urlpatterns = [
    path("", views.FaqIndexView.as_view(), name="index"),
    path("<slug:slug>/", views.FaqTopicView.as_view(), name="topic"),
    path("<slug:slug>/preview/", views.FaqTopicView.as_view(preview=True), name="topic_preview"),
    path("<slug:topic>/<slug:slug>/preview/", views.FaqEntryPreviewView.as_view(), name="entry_preview"),
    path(
        "<slug:topic>/<slug:slug>/preview/<str:language>/",
        TranslationPreviewView.as_view(
            model=FaqEntryTranslation,
            lookups={"topic": "source__topic__slug", "slug": "source__slug", "language": "language"},
        ),
        name="translation_preview",
    ),
]

from django.urls import path

from faq import views

app_name = "faq"
urlpatterns = [
    path("", views.FaqIndexView.as_view(), name="index"),
    path("<slug:slug>/", views.FaqTopicView.as_view(), name="topic"),
    path("<slug:slug>/preview/", views.FaqTopicView.as_view(preview=True), name="topic_preview"),
    path("<slug:topic>/<slug:slug>/preview/", views.FaqEntryPreviewView.as_view(), name="entry_preview"),
]

from django.urls import path

from articles import views
from articles.models import ArticleTranslation
from portal.content.views import TranslationPreviewView

app_name = "articles"
urlpatterns = [
    path("", views.ArticleListView.as_view(), name="list"),
    path("<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("<slug:slug>/preview/", views.ArticleDetailView.as_view(preview=True), name="preview"),
    path(
        "<slug:slug>/preview/<str:language>/",
        TranslationPreviewView.as_view(
            model=ArticleTranslation, lookups={"slug": "source__slug", "language": "language"}
        ),
        name="translation_preview",
    ),
]

from django.contrib import admin
from django.urls import include, path

from portal.views import public

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("articles/", include("articles.urls")),
    path("faq/", include("faq.urls")),
    path("admin/", admin.site.urls),
]

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from portal import views as public
from portal.content import markdownx_views as markdownx

# Public pages in every language: English at the addresses it always had, Spanish under /es/ (README "Languages").
urlpatterns = i18n_patterns(
    path("", public.home, name="home"),
    path("search/", public.search, name="search"),
    path("articles/", include("articles.urls")),
    path("faq/", include("faq.urls")),
    prefix_default_language=False,
)

# One address whatever the language: patient links (/p/<token>/, printed and emailed), staff pages, the admin.
urlpatterns += [
    path("healthz", public.healthz, name="healthz"),
    # markdownx's views, staff only, at MARKDOWNX_URLS_PATH / MARKDOWNX_UPLOAD_URLS_PATH (not markdownx.urls).
    path("staff/markdownx/markdownify/", markdownx.StaffMarkdownifyView.as_view(), name="markdownx_markdownify"),
    path("staff/markdownx/upload/", markdownx.StaffImageUploadView.as_view(), name="markdownx_upload"),
    path("p/", include("portal.reading.urls_patient")),
    path("staff/", include("portal.reading.urls_staff")),
    path("sms/", include("portal.reading.urls_sms")),
    # Admin bookmarks from before the apps moved (CHANGELOG 0.2.0): a redirect, no data, to the model's new app.
    re_path(r"^admin/portal/(?P<model>[-\w]+)/(?P<rest>.*)$", public.moved_admin_page, name="moved_admin_page"),
    path("admin/", admin.site.urls),
]

# Uploaded images: served by Django only in local development; production serves MEDIA_ROOT itself.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

"""Public pages that are not a content type's own: home, search, health check."""

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.cache import shared_cache_answers
from portal.content.selectors import base_language
from portal.reading.models import Treatment
from portal.search import SEARCH_MAX_LENGTH, clean_query, search_results, search_terms, translated_search_results


@require_safe
def home(request):
    articles = (
        Article.objects.published()
        .order_by("live_title", "pk")
        .only("slug", "live_title", "live_summary", "live_reading_minutes")
    )
    topics = FaqTopic.objects.filter(entries__in=FaqEntry.objects.published()).distinct()
    treatments = Treatment.objects.filter(is_active=True)
    return render(request, "home.html", {"articles": articles, "topics": topics, "treatments": treatments})


@require_safe
def search(request):
    query = clean_query(request.GET.get("q", ""))
    context = {"query": query, "max_length": SEARCH_MAX_LENGTH}
    if not query:
        context["message"] = _(
            "Type a word or two about what you want to know, for example “driving” or “side effects”."
        )
    elif len(query) > SEARCH_MAX_LENGTH:
        message = _("Please use a shorter search, up to %(count)d characters.")
        context["message"] = message % {"count": SEARCH_MAX_LENGTH}
        context["query"] = query[:SEARCH_MAX_LENGTH]
    elif base_language(get_language()) != base_language(settings.LANGUAGE_CODE):
        # /es/search/: the Spanish texts patients are shown, accents ignored (README "Search in Spanish").
        context["results"] = translated_search_results(query, language=get_language())
    else:
        context["results"] = search_results(search_terms(query))
    return render(request, "search.html", context)


@require_safe
def healthz(request):
    """200 "ok" once the database answers a query and the shared cache (Redis, when configured) answers; 503 when
    either cannot be reached: rate limits and the page cache's invalidation live in the shared cache."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = HttpResponse("database unavailable", status=503, content_type="text/plain")
    else:
        if shared_cache_answers(caches["default"]):
            response = HttpResponse("ok", content_type="text/plain")
        else:
            response = HttpResponse("shared cache unavailable", status=503, content_type="text/plain")
    add_never_cache_headers(response)
    return response


# The apps the admin's models lived in before they moved out of "portal" (CHANGELOG.md, 0.2.0).
MOVED_ADMIN_APPS = ("reading", "content", "audit")


@require_safe
def moved_admin_page(request, model, rest=""):
    """/admin/portal/<model>/… from bookmarks made before the move: a permanent redirect to the model's app."""
    for label in MOVED_ADMIN_APPS:
        if model in apps.get_app_config(label).models:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"/admin/{label}/{model}/{rest}" + (f"?{query}" if query else ""))
    raise Http404(_("No such admin page."))

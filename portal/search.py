"""Search of the live articles and FAQ entries: query cleaning, a plain-English stemmer, the matching
condition and highlighted snippets. The search view (portal.views) calls `search_results`."""

import re
import unicodedata

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles.models import Article
from faq.models import FaqEntry

SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 8
SEARCH_MAX_RESULTS = 50
SNIPPET_CONTEXT = 90  # characters shown either side of the first match
STEM_SUFFIXES = ("ing", "ies", "es", "ed", "s")
STEM_MIN_LENGTH = 4


def clean_query(raw):
    """The visitor's query without control characters (PostgreSQL refuses NUL) and extra spaces."""
    text = "".join(char for char in raw if unicodedata.category(char)[0] != "C" or char in "\t\n")
    return " ".join(text.split())


def word_stem(word):
    """A plain-English stem, so "driving" finds "drive" and "effects" finds "effect" (a prefix match)."""
    for suffix in STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN_LENGTH:
            return word[: -len(suffix)]
    return word


def search_terms(query):
    """Distinct stems of the query's words, longest first (so a longer one is highlighted over its prefix)."""
    terms = list(dict.fromkeys(word_stem(word.lower()) for word in query.split()))[:SEARCH_MAX_TERMS]
    return sorted(terms, key=len, reverse=True)


def _matches_every_term(terms, fields):
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": term})
        condition &= any_field
    return condition


def _terms_pattern(terms):
    # The whole word around a match is highlighted ("driv" marks "driving").
    return re.compile(r"\w*(?:" + "|".join(re.escape(term) for term in terms) + r")\w*", re.IGNORECASE)


def highlight(text, terms):
    """Escape `text` and wrap each occurrence of a term in <mark>."""
    parts, position = [], 0
    if terms:
        for match in _terms_pattern(terms).finditer(text):
            parts.append(escape(text[position : match.start()]))
            parts.append(f"<mark>{escape(match.group(0))}</mark>")
            position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def snippet(text, terms):
    """A short extract of `text` around the first matching term, the terms highlighted."""
    first_match = _terms_pattern(terms).search(text) if terms else None
    first = first_match.start() if first_match else 0
    start = max(0, first - SNIPPET_CONTEXT)
    end = min(len(text), first + SNIPPET_CONTEXT * (1 if first_match else 2))
    # Cut at word boundaries.
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first + 1, end)
        end = space if space > 0 else end
    extract = ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
    return highlight(extract, terms)


def search_results(terms):
    """Live articles, then live FAQ entries, matching every term: dicts with kind, url and highlighted
    title and snippet. Two queries."""
    articles = (
        Article.objects.published()
        .filter(_matches_every_term(terms, ["live_title", "live_summary", "live_text"]))
        .order_by("live_title", "pk")
        .only("slug", "live_title", "live_summary", "live_text")[:SEARCH_MAX_RESULTS]
    )
    entries = (
        FaqEntry.objects.published()
        .filter(_matches_every_term(terms, ["live_title", "live_text"]))
        .select_related("topic")
        .order_by("topic__position", "topic__title", "position", "pk")
        .only("slug", "live_title", "live_text", "topic__slug", "topic__title")[:SEARCH_MAX_RESULTS]
    )
    return [
        {
            "kind": gettext("Article"),
            "url": article.get_absolute_url(),
            "title": highlight(article.live_title, terms),
            "snippet": snippet(f"{article.live_summary} {article.live_text}", terms),
        }
        for article in articles
    ] + [
        {
            "kind": gettext("Question · %(topic)s") % {"topic": entry.topic.title},
            "url": entry.get_absolute_url(),
            "title": highlight(entry.live_title, terms),
            "snippet": snippet(entry.live_text, terms),
        }
        for entry in entries
    ]

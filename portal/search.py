"""Search of the live articles and FAQ entries: query cleaning, a plain-English stemmer, the matching
condition and highlighted snippets. The search view (portal.views) calls `search_results`, or, for a visitor
of another language (Spanish, under /es/), `translated_search_results`: README "Search in Spanish"."""

import functools
import re
import unicodedata

from django.conf import settings
from django.db.models import F, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles.models import Article, ArticleTranslation
from faq.models import FaqEntry, FaqEntryTranslation
from faq.selectors import faq_topic_headings_in
from portal.content.selectors import base_language, page_text_for

SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 8
SEARCH_MAX_RESULTS = 50
SNIPPET_CONTEXT = 90  # characters shown either side of the first match
STEM_SUFFIXES = ("ing", "ies", "es", "ed", "s")
STEM_MIN_LENGTH = 4
# Spanish plurals: "náuseas" finds "náusea", "dolores" finds "dolor" (a prefix match, like the English stems).
SPANISH_STEM_SUFFIXES = ("es", "s")


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


def _word_spans(text, terms):
    """(start, end) of each whole word of `text` containing a term (case ignored)."""
    return [match.span() for match in _terms_pattern(terms).finditer(text)] if terms else []


def _highlight_spans(text, spans):
    parts, position = [], 0
    for start, end in spans:
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def highlight(text, terms, *, find=_word_spans):
    """Escape `text` and wrap each occurrence of a term in <mark> (`find` gives where they are)."""
    return _highlight_spans(text, find(text, terms))


def snippet(text, terms, *, find=_word_spans):
    """A short extract of `text` around the first matching term, the terms highlighted."""
    spans = find(text, terms)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_CONTEXT)
    end = min(len(text), first + SNIPPET_CONTEXT * (1 if spans else 2))
    # Cut at word boundaries.
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first + 1, end)
        end = space if space > 0 else end
    extract = ("…" if start > 0 else "") + text[start:end].strip() + ("…" if end < len(text) else "")
    return highlight(extract, terms, find=find)


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


# Search in another language (Spanish) ---------------------------------------------------------------------
#
# Accents and case are ignored: the query and the text are both folded (`fold`: NFKD, combining marks
# dropped, casefold), so "nausea" finds "náusea" and "NAUSEA" finds it too. The database cannot fold on
# SQLite (and PostgreSQL's unaccent would need an extension and a migration), so it filters with a regular
# expression in which each letter stands for every letter folding to it ("a" → [aáàâäãÁ…]); Python then
# checks each row on the folded text and highlights what matched.

COMBINING_MARKS = "[\u0300-\u036f]*"  # a letter written decomposed (NFD) in the text


def fold_char(char):
    """`char` without its accents, case-folded: "Á" → "a", "ñ" → "n" (may be "" or several characters)."""
    return "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)).casefold()


def fold(text):
    return "".join(fold_char(char) for char in text)


@functools.cache
def _letters_folding_to():
    """{"a": "aáàâäãåā…AÁ…", ...}: every Latin letter that folds to one plain ASCII letter."""
    letters = {}
    for code in range(0x41, 0x250):
        char = chr(code)
        folded = fold_char(char)
        if char.isalpha() and len(folded) == 1 and folded.isascii():
            letters.setdefault(folded, folded)
            if char != folded:
                letters[folded] += char
    return letters


def _folded_regex(term):
    """A regular expression (the same in PostgreSQL and Python) matching `term` whatever its accents and case."""
    letters = _letters_folding_to()
    parts = []
    for char in term:
        if char in letters:
            parts.append(f"[{letters[char]}]{COMBINING_MARKS}")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def spanish_word_stem(word):
    for suffix in SPANISH_STEM_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN_LENGTH:
            return word[: -len(suffix)]
    return word


def folded_search_terms(query):
    """Distinct folded Spanish stems of the query's words, longest first."""
    terms = list(dict.fromkeys(spanish_word_stem(fold(word)) for word in query.split()))
    terms = [term for term in terms if term][:SEARCH_MAX_TERMS]
    return sorted(terms, key=len, reverse=True)


def _may_match_every_term(terms, fields):
    """The database's filter: every term in one of `fields`, accents and case ignored (Python checks again)."""
    condition = Q()
    for term in terms:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__iregex": _folded_regex(term)})
        condition &= any_field
    return condition


def _folded_matches(text, terms):
    """(start, end) in `text` of each whole word containing a term, found on the folded text."""
    if not terms:
        return []
    folded, origin = [], []
    for position, char in enumerate(text):
        for part in fold_char(char):
            folded.append(part)
            origin.append(position)
    spans = []
    for match in _terms_pattern(terms).finditer("".join(folded)):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # the accent of the last letter belongs to the word
        spans.append((start, end))
    return spans


def folded_highlight(text, terms):
    """Escape `text` and wrap each word containing a term (accents and case ignored) in <mark>."""
    return highlight(text, terms, find=_folded_matches)


def folded_snippet(text, terms):
    """A short extract of `text` around the first word containing a term, accents and case ignored."""
    return snippet(text, terms, find=_folded_matches)


def _has_every_term(terms, *texts):
    folded = fold(" ".join(texts))
    return all(term in folded for term in terms)


def _current_translations(model, language, sources):
    """Live translations into `language` of the live `sources` that patients are shown as current (not behind
    a material change of the source: page_text_for's rule, in SQL; each row is checked with it again)."""
    return (
        model.objects.published()
        .filter(language=language, source__in=sources.values("pk"))
        .filter(live_source_material_version__gte=F("source__material_version"))
    )


def _result(kind, url, title, text, terms, language, *, visitor):
    """A result dict; "lang" is the text's language when it is not the visitor's (the page says "In English")."""
    return {
        "kind": kind,
        "url": url,
        "title": folded_highlight(title, terms),
        "snippet": folded_snippet(text, terms),
        "lang": "" if language == visitor else language,
    }


def translated_search_results(query, *, language):
    """Search for a visitor of `language` (not the source language): the texts they would be shown.

    - A page with a current translation into `language` is searched in that translation only (its live title,
      summary and text); its result shows the translation.
    - A page without one (none yet, or behind a material change of the source) is shown in English with a
      note (page_text_for), so its English live text is searched and the result says "In English". These come
      after the translated results.

    Links are the pages' addresses in `language` (/es/…). Accents and case are ignored (see `fold`). Queries:
    two per content type when nothing matches; FAQ results add two for their topic titles."""
    language = base_language(language)
    terms = folded_search_terms(query)
    if not terms:
        return []
    article_fields = ["live_title", "live_summary", "live_text"]
    entry_fields = ["live_title", "live_text"]
    live_articles = Article.objects.published()
    live_entries = FaqEntry.objects.published()
    translated_articles = (
        _current_translations(ArticleTranslation, language, live_articles)
        .filter(_may_match_every_term(terms, article_fields))
        .select_related("source")
        .order_by("live_title", "pk")[:SEARCH_MAX_RESULTS]
    )
    english_articles = (
        live_articles.exclude(
            pk__in=_current_translations(ArticleTranslation, language, live_articles).values("source")
        )
        .filter(_may_match_every_term(terms, article_fields))
        .order_by("live_title", "pk")
        .only("slug", "live_title", "live_summary", "live_text")[:SEARCH_MAX_RESULTS]
    )
    translated_entries = (
        _current_translations(FaqEntryTranslation, language, live_entries)
        .filter(_may_match_every_term(terms, entry_fields))
        .select_related("source__topic")
        .order_by("source__topic__position", "source__topic__title", "source__position", "source__pk")[
            :SEARCH_MAX_RESULTS
        ]
    )
    english_entries = (
        live_entries.exclude(pk__in=_current_translations(FaqEntryTranslation, language, live_entries).values("source"))
        .filter(_may_match_every_term(terms, entry_fields))
        .select_related("topic")
        .order_by("topic__position", "topic__title", "position", "pk")
        .only("slug", "live_title", "live_text", "topic__slug", "topic__title")[:SEARCH_MAX_RESULTS]
    )
    english = settings.LANGUAGE_CODE
    results, english_results = [], []
    for row in translated_articles:
        shown = page_text_for(content=row.source, language=language, translation=row)
        text = f"{shown.summary} {row.live_text}"
        if shown.translation is not None and _has_every_term(terms, shown.title, text):
            url = row.get_absolute_url()
            results.append(_result(gettext("Article"), url, shown.title, text, terms, language, visitor=language))
    for article in english_articles:
        text = f"{article.live_summary} {article.live_text}"
        if _has_every_term(terms, article.live_title, text):
            url = article.get_absolute_url()
            found = _result(gettext("Article"), url, article.live_title, text, terms, english, visitor=language)
            english_results.append(found)
    entries = [
        (row.source, row.live_title, row.live_text, language)
        for row in translated_entries
        if page_text_for(content=row.source, language=language, translation=row).translation is not None
    ] + [(entry, entry.live_title, entry.live_text, english) for entry in english_entries]
    entries = [entry for entry in entries if _has_every_term(terms, entry[1], entry[2])]
    topic_titles = {}
    if entries:
        topics = {entry.topic_id: entry.topic for entry, *_ in entries}
        headings = faq_topic_headings_in(topics=list(topics.values()), language=language)
        topic_titles = {pk: title for pk, (title, _intro) in headings.items()}
    for entry, title, text, text_language in entries:
        topic = topic_titles.get(entry.topic_id, entry.topic.title)
        kind = gettext("Question · %(topic)s") % {"topic": topic}
        found = _result(kind, entry.get_absolute_url(), title, text, terms, text_language, visitor=language)
        (results if text_language == language else english_results).append(found)
    return results + english_results

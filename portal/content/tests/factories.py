"""Small factories for articles, FAQ topics and entries, published through the real service; helpers for
requesting their public pages past the page cache."""

import itertools

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from faq.models import FaqEntry, FaqTopic
from portal.content.services import content_publish

_numbers = itertools.count(1)


def make_user(username=None, *, staff=False, superuser=False):
    username = username or f"user{next(_numbers)}"
    # No password (tests log in with force_login): hashing one costs a second per user.
    user = get_user_model().objects.create_user(username, is_staff=staff or superuser, is_superuser=superuser)
    return user


def make_article(*, publish=False, by=None, **fields):
    number = next(_numbers)
    fields.setdefault("title", f"Article {number}")
    fields.setdefault("slug", f"article-{number}")
    fields.setdefault("summary", f"Summary of article {number}.")
    fields.setdefault("body", f"## Section {number}\n\nSome text for article {number}.")
    article = Article.objects.create(**fields)
    if publish:
        content_publish(content=article, by=by)
    return article


def make_topic(**fields):
    number = next(_numbers)
    fields.setdefault("title", f"Topic {number}")
    fields.setdefault("slug", f"topic-{number}")
    return FaqTopic.objects.create(**fields)


def make_entry(*, topic, publish=False, by=None, **fields):
    number = next(_numbers)
    fields.setdefault("question", f"Question {number}?")
    fields.setdefault("slug", f"question-{number}")
    fields.setdefault("answer", f"The answer to question {number}.")
    fields.setdefault("position", number)
    entry = FaqEntry.objects.create(topic=topic, **fields)
    if publish:
        content_publish(content=entry, by=by)
    return entry


def clear_page_cache():
    """Public pages are cached per process (portal.page_cache); tests that change content re-render."""
    caches["pages"].clear()


def get_uncached(client, url):
    """GET `url` as the first visitor after a change: the page cache is emptied first."""
    clear_page_cache()
    return client.get(url)


def count_queries(client, url):
    """The queries of one successful GET of `url` that the page cache does not answer."""
    clear_page_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def make_article_translation(*, source, language="es", publish=False, by=None, **fields):
    """A translation of `source` (published) made from its current version; published through the service."""
    from articles.models import ArticleTranslation

    fields.setdefault("title", f"Traducción de {source.title}")
    fields.setdefault("summary", "Un resumen corto.")
    fields.setdefault("body", "## Sección\n\nUsted se queda en la clínica por lo menos dos horas.")
    fields.setdefault("source_version", source.published_version)
    translation = ArticleTranslation.objects.create(source=source, language=language, **fields)
    if publish:
        content_publish(content=translation, by=by)
    return translation


def make_entry_translation(*, source, language="es", publish=False, by=None, **fields):
    from faq.models import FaqEntryTranslation

    fields.setdefault("question", f"¿Pregunta {source.pk}?")
    fields.setdefault("answer", f"La respuesta a la pregunta {source.pk}.")
    fields.setdefault("source_version", source.published_version)
    translation = FaqEntryTranslation.objects.create(source=source, language=language, **fields)
    if publish:
        content_publish(content=translation, by=by)
    return translation

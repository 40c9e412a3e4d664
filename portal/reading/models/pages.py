"""'A page to read': the one place that knows which kinds of page a reading list can hold.

Everything else reaches a page through `PageReference.page` (a portal.content.models.PageToRead) or derives
its field names from PAGE_FIELDS (select_related, defer, filters): no `article_id` switches elsewhere.
"""

from django.apps import apps
from django.db import models
from django.db.models import JSONField, Q, TextField

# The kinds of page, the field of PageReference that points at each, and what staff call them.
PAGE_FIELDS = {"article": "articles.Article", "faq_topic": "faq.FaqTopic"}
PAGE_LABELS = {"article": "Article", "faq_topic": "FAQ page"}


def page_q(page, prefix=""):
    """Rows that point at `page` (an Article or an FaqTopic); `prefix` reaches the reference through a relation."""
    return Q(**{f"{prefix}{page_field_for(page)}": page})


def page_field_for(page):
    label = page._meta.label
    return next(field for field, model in PAGE_FIELDS.items() if model == label)


def page_relations(prefix=""):
    """The page relations for select_related(), e.g. page_relations("item__") from a question."""
    return [f"{prefix}{field}" for field in PAGE_FIELDS]


def page_bulky_fields(prefix=""):
    """The pages' text, HTML and tables of contents, for defer() where only titles and versions are needed
    (an export row would otherwise carry a copy of each page)."""
    return [
        f"{prefix}{field}__{model_field.name}"
        for field, label in PAGE_FIELDS.items()
        for model_field in apps.get_model(label)._meta.concrete_fields
        if isinstance(model_field, TextField | JSONField)
    ]


def page_live_entries(page):
    """The separately reviewed entries a page shows (an FAQ topic's questions); a page without entries (an
    article) carries its text itself."""
    live_entries = getattr(page, "live_entries", None)
    return list(live_entries()) if live_entries else []


def available_page_keys(references):
    """{(field, pk)} of the pages among `references` (PageReference rows) that patients can be shown now:
    one query per kind of page, however many references."""
    keys = set()
    for field, label in PAGE_FIELDS.items():
        pks = {getattr(reference, f"{field}_id") for reference in references} - {None}
        if pks:
            available = apps.get_model(label).objects.available().filter(pk__in=pks).values_list("pk", flat=True)
            keys |= {(field, pk) for pk in available}
    return keys


class PageReference(models.Model):
    """Points at exactly one page to read: an article or a whole FAQ topic page."""

    article = models.ForeignKey("articles.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    faq_topic = models.ForeignKey("faq.FaqTopic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, faq_topic__isnull=True)
                | Q(article__isnull=True, faq_topic__isnull=False),
                name="%(class)s_one_page",
            )
        ]

    def __str__(self):
        return str(self.page)

    @property
    def page(self):
        """The page to read (portal.content.models.PageToRead)."""
        return next(filter(None, (getattr(self, field) for field in PAGE_FIELDS)), None)

    @page.setter
    def page(self, page):
        for field in PAGE_FIELDS:
            setattr(self, field, None)
        setattr(self, page_field_for(page), page)

    @property
    def page_key(self):
        return next((field, getattr(self, f"{field}_id")) for field in PAGE_FIELDS if getattr(self, f"{field}_id"))

    @property
    def page_label(self):
        return PAGE_LABELS[self.page_key[0]]

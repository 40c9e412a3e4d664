"""Fields fixed once patients have seen a page: where it is found (its address, its FAQ topic) and, for an FAQ
topic, its heading (changed only through review, faq.models.FaqTopicHeading).

Patients keep links to pages (in texts, emails, printed cards, bookmarks); a moved page breaks them, and a
change made outside the review workflow would reach patients unreviewed. So such a field changes freely until
the page is first published (`published_version` > 0), then never: the admin shows it read-only with its help
text (ReviewedContentAdmin subclasses list `frozen_fields`), a form that still offers it gets a field error,
and any other path that saves a change gets FrozenFieldError.
"""

from django.core.exceptions import ValidationError


class FrozenFieldError(ValidationError):
    """A save that would change a field fixed since the page was published."""


class FrozenOncePublished:
    """Mix into a model (before models.Model) with a `published_version` field; list the fields in `frozen_fields`."""

    frozen_fields = ()

    def is_frozen(self):
        """This page (as loaded) was published at least once, so its `frozen_fields` are fixed (save() checks the
        stored row itself)."""
        return self.pk is not None and self.published_version > 0

    def frozen_changes(self):
        """Names of `frozen_fields` this instance changes compared with its stored, published row."""
        if self.pk is None or not self.frozen_fields:
            return []
        attnames = {name: self._meta.get_field(name).attname for name in self.frozen_fields}
        stored = type(self)._base_manager.filter(pk=self.pk, published_version__gt=0).values(*attnames.values())
        stored = stored.first()
        if stored is None:
            return []
        return [name for name, attname in attnames.items() if stored[attname] != getattr(self, attname)]

    def frozen_message(self, name):
        field = self._meta.get_field(name)
        return f"“{field.verbose_name.capitalize()}” cannot change once patients have seen this page. {field.help_text}"

    def clean_fields(self, exclude=None):
        # A form that offers a frozen field reports the change on that field (fields not in the form are excluded).
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in self.frozen_changes():
            if not exclude or name not in exclude:
                errors.setdefault(name, []).append(self.frozen_message(name))
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        saves_frozen = update_fields is None or set(update_fields) & set(self.frozen_fields)
        if saves_frozen and (changed := self.frozen_changes()):
            raise FrozenFieldError(" ".join(self.frozen_message(name) for name in changed))
        super().save(*args, **kwargs)

"""TranslationAdmin: the admin of translations of reviewed content (articles, FAQ entries), built on
ReviewedContentAdmin so that a translation goes through the same workflow pages, versions and diff.

What it adds: the language and the source version the text translates (the latest by default), and whether the
translation is in step with its source: an "Up to date / Out of date" column and filter, and on the change page
a banner with a link to the source's diff since the version the translation was made from.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.content.admin.base import ReviewedContentAdmin


class TranslationStateFilter(admin.SimpleListFilter):
    title = _("in step with the source")
    parameter_name = "source_state"

    def lookups(self, request, model_admin):
        return [
            ("out_of_date", _("Out of date")),
            ("material", _("Behind a material change (patients get the source)")),
            ("current", _("Up to date")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "out_of_date":
            return queryset.filter(published_version__gt=0).out_of_date()
        if self.value() == "material":
            return queryset.filter(published_version__gt=0).behind_material_change()
        if self.value() == "current":
            return queryset.filter(published_version__gt=0).exclude(pk__in=queryset.out_of_date().values("pk"))
        return queryset


def translation_state(obj):
    """A sentence for staff: is this translation in step with its source?"""
    source = obj.source
    if obj.published_version == 0:
        return gettext("Not published yet (translates version %(version)s of the source)") % {
            "version": obj.source_version
        }
    if obj.is_behind_material_change:
        return gettext(
            "Out of date after a material change: made from version %(base)s, the source is at version %(current)s. "
            "Patients get the source page with a note until this translation is approved again."
        ) % {"base": obj.live_source_version, "current": source.published_version}
    if obj.is_out_of_date:
        return gettext(
            "Out of date: made from version %(base)s, the source is at version %(current)s "
            "(no material change: patients still see this translation)."
        ) % {"base": obj.live_source_version, "current": source.published_version}
    return gettext("Up to date (made from version %(base)s of the source)") % {"base": obj.live_source_version}


class TranslationAdmin(ReviewedContentAdmin):
    """Base admin of a translation model (portal.content.models.TranslatedContent). Subclasses set the fields."""

    list_filter = ("language", TranslationStateFilter)
    list_select_related = ("source",)
    autocomplete_fields = ("source",)

    def get_readonly_fields(self, request, obj=None):
        own = tuple(super().get_readonly_fields(request, obj))
        fixed = ("source", "language") if obj is not None else ()
        return own + ("source_state",) + fixed

    def get_changeform_initial_data(self, request):
        """?source=<pk> (the source's "Translate" link): that source, and its latest version as the base."""
        initial = super().get_changeform_initial_data(request)
        source_field = self.model._meta.get_field("source")
        wanted = str(initial.pop("source", "") or "")
        source = source_field.related_model.objects.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if source is not None:  # a bad or unknown id is left out (the form's own check would fail on it)
            initial |= {"source": source.pk, "source_version": source.published_version}
        return initial

    @admin.display(description=_("In step with the source"))
    def source_state(self, obj):
        if obj is None or obj.source_id is None:
            return "–"
        return translation_state(obj)

    @admin.display(description=_("In step with the source"))
    def source_state_column(self, obj):
        if obj.published_version == 0:
            return "–"
        if obj.is_behind_material_change:
            return format_html('<span class="governance-flag">{}</span>', gettext("⚠ Out of date (material change)"))
        if obj.is_out_of_date:
            return format_html('<span class="governance-flag">{}</span>', gettext("Out of date"))
        return gettext("Up to date")

    def _notices(self, obj, steps):
        notices = super()._notices(obj, steps)
        if obj.source_version < obj.source.published_version and obj.has_unpublished_changes:
            notices.append(
                gettext(
                    "This working copy translates version %(base)s of the source; the source is at version %(current)s."
                )
                % {"base": obj.source_version, "current": obj.source.published_version}
            )
        if obj.is_out_of_date:
            source_opts = obj.source._meta
            diff_url = reverse(
                f"admin:{source_opts.app_label}_{source_opts.model_name}_compare",
                kwargs={"object_id": obj.source_id},
                current_app=self.admin_site.name,
            )
            notices.insert(
                0,
                format_html(
                    '{} <a href="{}?old={}&amp;new={}">{}</a>',
                    translation_state(obj),
                    diff_url,
                    obj.live_source_version,
                    obj.source.published_version,
                    gettext("See what changed in the source since version %(base)s.")
                    % {"base": obj.live_source_version},
                ),
            )
        return notices


class TranslatedSourceMixin:
    """For the admin of a source model: a read-only "Translations" field listing each translation with its state,
    and a link to add one in each language that has none."""

    translation_admin_name = ""  # "<app>_<model>" of the translation model's admin

    def get_readonly_fields(self, request, obj=None):
        own = tuple(super().get_readonly_fields(request, obj))
        return own + (("translations_list",) if obj is not None else ())

    def get_list_display(self, request):
        return [*super().get_list_display(request), "translations_column"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    @admin.display(description=_("Translations"))
    def translations_column(self, obj):
        """ "es" for each translation, flagged when it is out of date (one query for the whole list)."""
        cells = []
        for translated in obj.translations.all():
            translated.source = obj
            if translated.is_behind_material_change:
                cells.append(format_html('<span class="governance-flag">{} ⚠ {}</span>', translated.language,
                                         gettext("out of date (material change)")))  # fmt: skip
            elif translated.is_out_of_date:
                cells.append(format_html("{} ({})", translated.language, gettext("out of date")))
            elif translated.published_version:
                cells.append(format_html("{}", translated.language))
            else:
                cells.append(format_html("{} ({})", translated.language, gettext("not published")))
        return format_html_join(", ", "{}", ((cell,) for cell in cells)) if cells else "–"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and "translations_list" not in fields:
            fields.append("translations_list")  # also when the admin lists its fields itself
        return fields

    @admin.display(description=_("Translations"))
    def translations_list(self, obj):
        from portal.content.models import translation_languages

        rows = []
        existing = {translated.language: translated for translated in obj.translations.all()}
        for code, name in translation_languages():
            translated = existing.get(code)
            if translated is None:
                url = reverse(f"admin:{self.translation_admin_name}_add", current_app=self.admin_site.name)
                rows.append(
                    format_html(
                        '<li>{}: <a href="{}?source={}&amp;language={}">{}</a></li>',
                        name,
                        url,
                        obj.pk,
                        code,
                        gettext("Add a translation"),
                    )
                )
            else:
                url = reverse(
                    f"admin:{self.translation_admin_name}_change",
                    args=[translated.pk],
                    current_app=self.admin_site.name,
                )
                rows.append(
                    format_html(
                        '<li>{}: <a href="{}">{}</a> ({}). {}</li>',
                        name,
                        url,
                        translated,
                        translated.get_status_display(),
                        translation_state(translated),
                    )
                )
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((row,) for row in rows))) if rows else "–"

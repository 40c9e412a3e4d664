"""Admin shared by articles and FAQ entries (the review workflow lives here)."""

from django.contrib import admin


class ReviewedContentAdmin(admin.ModelAdmin):
    readonly_fields = ("status", "published_version", "readability_grade", "word_count", "reading_minutes")

    def save_model(self, request, obj, form, change):
        obj.last_edited_by = request.user
        super().save_model(request, obj, form, change)

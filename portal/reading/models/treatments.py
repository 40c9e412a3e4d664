"""Treatments and their ordered reading lists."""

from django.db import models

from portal.reading.models.pages import PageReference


class Treatment(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True, help_text="Used in the CSV import's treatment column.")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReadingFrequency(models.TextChoices):
    EVERY_SESSION = "every", "Every session"
    FIRST_SESSION = "first", "First session only"


class ReadingListItem(PageReference):
    """One page on a treatment's reading list."""

    treatment = models.ForeignKey(Treatment, on_delete=models.CASCADE, related_name="reading_list")
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(default=True)
    frequency = models.CharField(max_length=8, choices=ReadingFrequency.choices, default=ReadingFrequency.EVERY_SESSION)

    class Meta(PageReference.Meta):
        ordering = ["treatment", "position", "pk"]

from django.db import models


class FloorRow(models.Model):
    """The bare table of the INSERT floor: as small as a beacon's report row (a unique id and a number)."""

    client_id = models.CharField(max_length=64, unique=True)
    seconds = models.PositiveIntegerField()

    def __str__(self):
        return self.client_id

"""Signals of the content layer, for the layers above it (which content never imports)."""

from django.dispatch import Signal

# Sent when what patients see of a page to read changed (published, archived, expired), inside the same
# transaction. Arguments: page (an Article or an FAQ topic), material_change (patients must re-read), now.
page_to_read_changed = Signal()

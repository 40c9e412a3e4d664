"""Reading lists follow the content layer's changes (portal.content.signals)."""

from django.dispatch import receiver

from portal.content.signals import page_to_read_changed
from portal.reading.models import SessionItem, TreatmentSession, page_q


@receiver(page_to_read_changed, dispatch_uid="reading:page_to_read_changed")
def ask_upcoming_sessions_to_reread(sender, *, page, material_change, now, **kwargs):
    """After a material change, patients of UPCOMING sessions must read the page again (past sessions keep
    what was read then)."""
    if material_change:
        SessionItem.objects.filter(page_q(page), session__in=TreatmentSession.objects.upcoming(now)).update(
            current_material_version=page.material_version
        )

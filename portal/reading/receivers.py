"""Reading lists follow the content layer's changes (portal.content.signals); outgoing messages follow the
session's schedule (portal.reading.signals), and a session imported from the EHR gets its link and reminders."""

from django.conf import settings
from django.dispatch import receiver

from portal.content.signals import page_to_read_changed
from portal.reading.models import SessionItem, TreatmentSession, page_q
from portal.reading.signals import session_imported, session_schedule_changed


@receiver(page_to_read_changed, dispatch_uid="reading:page_to_read_changed")
def ask_upcoming_sessions_to_reread(sender, *, page, material_change, now, **kwargs):
    """After a material change, patients of UPCOMING sessions must read the page again (past sessions keep
    what was read then)."""
    if material_change:
        SessionItem.objects.filter(page_q(page), session__in=TreatmentSession.objects.upcoming(now)).update(
            current_material_version=page.material_version
        )


@receiver(session_schedule_changed, dispatch_uid="reading:messages_follow_schedule")
def messages_follow_schedule(sender, *, session, change, **kwargs):
    """A cancelled session (or no-show) sends nothing more; a moved one has its reminders planned again."""
    from portal.reading.messaging.sender import REASON_CANCELLED
    from portal.reading.services import messages

    if change == "rescheduled":
        messages.reminders_plan(session=session)
    else:
        messages.messages_cancel(session=session, reason=REASON_CANCELLED)


@receiver(session_imported, dispatch_uid="reading:imported_sessions_send_link")
def imported_session_gets_its_link(sender, *, session, **kwargs):
    """A session made from an HL7 SIU or FHIR appointment gets its link (sent to the patient when they can be
    reached, with reminders planned), in the transaction that made it (settings.IMPORTED_SESSIONS_SEND_LINK)."""
    from portal.reading.services import messages

    if settings.IMPORTED_SESSIONS_SEND_LINK:
        messages.session_link_deliver(session=session)

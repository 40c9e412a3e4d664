"""The one definition of "done" for a session item and of a working patient link, as Q objects: querysets of
several models use them through a relation prefix, so the rules are written once."""

from django.db.models import F, Q
from django.utils import timezone


def item_done_q(prefix=""):
    """Acknowledged, at or after the content's latest material change (a page whose content changed
    materially after the patient acknowledged it must be read again), and its teach-back questions answered
    (right, or twice wrong: portal.reading.models.checks). `prefix` reaches the item through a relation, e.g.
    "items__" from a session."""
    return Q(
        **{
            f"{prefix}record__acknowledged_at__isnull": False,
            f"{prefix}record__acknowledged_version__gte": F(f"{prefix}current_material_version"),
            f"{prefix}record__teach_back_pending": False,
        }
    )


def valid_link_q(prefix="", now=None):
    """Issued, not revoked, not expired. `prefix` reaches the session through a relation, e.g. "session__"."""
    now = now or timezone.now()
    return Q(
        **{
            f"{prefix}token_hash__isnull": False,
            f"{prefix}link_revoked_at__isnull": True,
            f"{prefix}link_expires_at__gt": now,
        }
    )

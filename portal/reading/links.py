"""The patient link as staff hand it out: the full URL, and its QR code for the printed card."""

import segno
from django.conf import settings
from django.urls import reverse


def patient_link_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("patient:open", kwargs={"token": token})


def link_qr_svg(link: str) -> str:
    """The link as an inline SVG QR code. segno writes presentation attributes only (no style=), which the
    Content-Security-Policy allows; the size comes from portal.css (viewBox, no width/height)."""
    return segno.make(link, error="m").svg_inline(omitsize=True, svgclass="qr-code", title="QR code of the link")

"""portal.reading.links: the patient link as staff hand it out."""

import segno

from portal.reading.links import link_qr_svg, patient_link_url


def test_the_qr_code_encodes_the_link():
    link = "https://clinic.example/p/abc/"
    assert link_qr_svg(link) == segno.make(link, error="m").svg_inline(
        omitsize=True, svgclass="qr-code", title="QR code of the link"
    )
    assert "style" not in link_qr_svg(link)


def test_the_link_is_the_portal_base_url_and_the_patient_path(settings):
    settings.PORTAL_BASE_URL = "https://portal.example"
    assert patient_link_url("abc") == "https://portal.example/p/abc/"

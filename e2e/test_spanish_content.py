"""A Spanish-speaking patient in Chromium: the reading list and page in Spanish from the reviewed translation,
acknowledged (the record says Spanish); after a material change of the English page, the English text with a
note in Spanish. No accessibility violations on either page (axe-core, WCAG 2.2 AA).

Interface strings are not asserted here (their Spanish comes from locale/, issue 11 part A): only the content.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from portal.content.services import content_publish
from portal.content.tests.factories import make_article_translation
from portal.reading.models import ReadingRecord

pytestmark = pytest.mark.browser

SPANISH_TITLE = "Qué esperar el día del tratamiento"


def wait_until(condition, timeout=10.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


@pytest.fixture
def spanish_clinic(clinic):
    clinic.patient.preferred_language = "es"
    clinic.patient.save()
    make_article_translation(
        source=clinic.article,
        title=SPANISH_TITLE,
        summary="Cómo prepararse y por qué necesita que alguien lo lleve a casa.",
        body="## Antes de venir\n\nDeje de comer 2 horas antes.\n\nUna persona del personal lo observa.",
        publish=True,
    )
    return clinic


def test_a_spanish_patient_reads_and_acknowledges_the_translation(spanish_clinic, page, check_accessibility):
    clinic = spanish_clinic
    item = clinic.items[0]
    page.goto(f"/p/{clinic.token}/")
    expect(page).to_have_url(re.compile(r"/p/session/$"))
    page.get_by_role("link", name=SPANISH_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH_TITLE)
    expect(page.locator('.prose[lang="es"]')).to_contain_text("Deje de comer 2 horas antes.")
    assert check_accessibility(page) == []
    page.locator(f'form[action$="/items/{item.pk}/acknowledge/"] button').click()
    expect(page).to_have_url(re.compile(r"/p/session/"))
    record = wait_until(lambda: ReadingRecord.objects.filter(item=item, acknowledged_at__isnull=False).first())
    assert (record.language, record.translation_version) == ("es", 1)


def test_after_a_material_change_the_patient_gets_the_english_page_with_a_spanish_note(
    spanish_clinic, page, check_accessibility
):
    clinic = spanish_clinic
    article = clinic.article
    article.body += "\n\nNew safety text: do not drive until the next day."
    article.save()
    content_publish(content=article, by=clinic.reviewer, material_change=True)
    page.goto(f"/p/{clinic.token}/")
    page.get_by_role("link", name=article.title).click()
    note = page.locator('.translation-note[lang="es"]')
    expect(note).to_be_visible()
    expect(page.locator('.prose[lang="en"]')).to_contain_text("New safety text")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(SPANISH_TITLE)
    assert check_accessibility(page) == []

"""What a patient acknowledges is the version they were shown (portal.reading.shown), and a GET writes nothing.

A page shown as v1 and acknowledged after v2 was approved as a material change is not counted as read: the
patient gets the new text with a note. A change that was not material does not stop the acknowledgement; the
record then says v1, which is what was read. "Opened" never comes from a GET (an image tag or a crawler can
make one): it comes from the beacon or from the form posted from the page, with the time the page was shown.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.content.services import content_archive, content_publish
from portal.content.tests.factories import make_user
from portal.reading.models import ReadingRecord, SessionItem, TreatmentSession
from portal.reading.shown import page_shown_now, sign_shown
from portal.reading.tests.factories import SHOWN_RE, page_form

pytestmark = pytest.mark.django_db


def acknowledge(client, item, fields):
    return client.post(reverse("patient:acknowledge", kwargs={"pk": item.pk}), fields)


def change(item, *, material):
    """Publish a new version of the item's page (for a topic: of one of its entries)."""
    page = item.page
    content = page if page.page_kind == "article" else page.entries.first()
    body_field = content.body_field
    setattr(content, body_field, getattr(content, body_field) + "\n\nNew: no driving until the next day.")
    content.save()
    content_publish(content=content, by=None, material_change=material)


def acknowledged(item):
    return ReadingRecord.objects.filter(item=item, acknowledged_at__isnull=False).first()


# GET writes nothing -----------------------------------------------------------------------------------


def test_opening_a_page_with_a_get_records_nothing_not_even_from_an_image_tag(reading, patient):
    """An approved page holding ![](/p/items/5/) makes the patient's browser GET item 5 as an image."""
    session, _, items = reading
    for item in items:
        response = patient.get(reverse("patient:item", kwargs={"pk": item.pk}), HTTP_SEC_FETCH_DEST="image")
        assert response.status_code == 200

    assert not ReadingRecord.objects.filter(item__session=session).exists()
    html = patient.get(reverse("patient:session")).content.decode()
    assert html.count("reading-item-not_started") == 3


def test_without_javascript_the_acknowledgement_records_when_the_page_was_shown(reading, patient):
    """No beacon came: the signed time the page was shown is the opening time, so reading seconds are known."""
    item = reading[2][0]
    fields = page_form(patient, item)
    shown_at = timezone.now() - datetime.timedelta(seconds=90)
    fields["shown"] = sign_shown(item=item, shown=page_shown_now(item.page, now=shown_at))  # shown 90 s ago

    assert acknowledge(patient, item, fields).status_code == 302

    record = acknowledged(item)
    assert abs(record.opened_at - shown_at) < datetime.timedelta(milliseconds=1)
    assert record.reading_seconds == 90 and not record.measured_by_script


# The version acknowledged -----------------------------------------------------------------------------


@pytest.mark.parametrize("position", [0, 1], ids=["article", "faq topic"])
def test_after_a_material_change_the_old_version_is_not_acknowledged_and_the_new_text_is_shown(
    reading, patient, position
):
    session, _, items = reading
    item = items[position]
    shown_v1 = page_form(patient, item)
    change(item, material=True)

    response = acknowledge(patient, item, shown_v1)

    assert response.status_code == 409
    html = response.content.decode()
    assert "updated while you were reading it" in html and "New: no driving until the next day." in html
    assert acknowledged(item) is None
    # The page just shown carries the new version: acknowledging it counts.
    new_version = {**shown_v1, "shown": SHOWN_RE.search(html).group(1)}
    assert acknowledge(patient, item, new_version).status_code == 302
    item = SessionItem.objects.select_related("article", "faq_topic").get(pk=item.pk)
    assert acknowledged(item).acknowledged_version == item.page.published_version == item.page.material_version
    assert TreatmentSession.objects.with_completion().get(pk=session.pk).items_done == 1


def test_after_a_change_that_is_not_material_the_version_shown_is_acknowledged(reading, patient):
    session, _, items = reading
    item = items[0]
    shown_hash = item.article.content_hash
    fields = page_form(patient, item)
    change(item, material=False)

    assert acknowledge(patient, item, fields).status_code == 302

    record = acknowledged(item)
    assert (record.acknowledged_version, record.content_version, record.content_hash) == (1, 1, shown_hash)
    item.article.refresh_from_db()
    assert item.article.published_version == 2 and item.article.content_hash != shown_hash
    assert TreatmentSession.objects.with_completion().get(pk=session.pk).items_done == 1


def test_a_page_withdrawn_after_it_was_shown_is_not_acknowledged(reading, patient):
    item = reading[2][0]
    fields = page_form(patient, item)
    content_archive(content=item.article, by=make_user(superuser=True))

    response = acknowledge(patient, item, fields)

    assert response.status_code == 409
    assert "not available right now" in response.content.decode()
    assert acknowledged(item) is None


@pytest.mark.parametrize("case", ["missing", "forged", "another page's"])
def test_an_acknowledgement_that_does_not_say_truthfully_what_was_shown_acknowledges_nothing(reading, patient, case):
    _, _, items = reading
    item = items[0]
    fields = page_form(patient, item)
    if case == "missing":
        del fields["shown"]
    elif case == "forged":
        fields["shown"] = re.sub(r":[^:]+$", ":forged", fields["shown"])
    else:
        fields["shown"] = page_form(patient, items[2])["shown"]

    response = acknowledge(patient, item, fields)

    assert response.status_code == 400
    assert "We could not tell which version of this page you read" in response.content.decode()
    assert acknowledged(item) is None

"""The clinic's phone number becomes a valid tel: link (the Nu Html Checker refuses spaces and brackets)."""

import pytest

from portal.phone import phone_href


@pytest.mark.parametrize(
    ("shown", "href"),
    [
        ("(555) 010-0100", "tel:5550100100"),
        ("+1 (555) 010-0100", "tel:+15550100100"),
        ("555.010.0100 ext. 12", "tel:5550100100;ext=12"),
        ("", ""),
    ],
)
def test_phone_numbers_as_people_write_them_become_tel_links(shown, href):
    assert phone_href(shown) == href

"""audit_record never fails the request for a value that does not fit, and records the client's own address.

Every value is cut or normalized to fit its column and to read back exactly as written (else PostgreSQL
refuses the insert, a 500, or the hash chain breaks falsely), on SQLite and PostgreSQL.
"""

import datetime
import decimal
import ipaddress

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal import ratelimit
from portal.audit.client import client_ip
from portal.audit.models import AuditEvent
from portal.audit.selectors import audit_chain_verify
from portal.audit.services import audit_record
from portal.audit.tests.conftest import record, request_as
from portal.audit.values import MAX_FILTERS_JSON
from portal.content.tests.governance_helpers import as_user


def stored(event):
    return AuditEvent.objects.get(pk=event.pk)


def test_a_250_character_id_in_the_admin_is_no_500_and_no_look_that_did_not_happen(admin_user):
    """The session admin audits after it found the session: an unknown (here 250-character) id records nothing,
    and a subject that long is cut to fit rather than failing the insert."""
    long_id = "x" * 250
    response = as_user(admin_user).get(reverse("admin:reading_treatmentsession_change", args=[long_id]))

    assert response.status_code == 302  # the admin's own "no such session"
    assert not AuditEvent.objects.filter(action="admin.session.view").exists()
    event = stored(record(action="admin.session.view", subject=f"session={long_id}"))
    assert len(event.subject) == 200
    assert event.subject.startswith("session=xxx") and event.subject.endswith("…")
    assert audit_chain_verify().intact


def test_text_that_does_not_fit_is_cut_and_nul_bytes_and_lone_surrogates_are_dropped(db):
    event = record(action="a" * 100, subject="session=1\x00\ud800" + "9" * 300)

    event = stored(event)
    assert len(event.action) == 64 and event.action.endswith("…")
    assert event.subject.startswith("session=1?9") and len(event.subject) == 200
    assert audit_chain_verify().intact


HOSTILE_FILTERS = {
    "q": "a\x00b",
    "huge": 10**30,
    "float": 1e300,
    "price": decimal.Decimal("1.10"),
    "day": datetime.date(2026, 11, 27),
    "raw": b"\xff\xfe",
    7: "a number as key",
    "nested": {"deeper": {"deepest": {"too": "deep"}}},
    "list": list(range(100)),
    "set": {"x"},
    "object": object(),
}


def test_filters_become_bounded_json_that_reads_back_exactly(db):
    event = stored(record(filters=HOSTILE_FILTERS))

    filters = event.filters
    assert filters["q"] == "ab"
    assert filters["huge"] == str(10**30) and filters["float"] == "1e+300" and filters["price"] == "1.10"
    assert filters["day"] == "2026-11-27" and filters["raw"] == "\ufffd\ufffd" and filters["7"] == "a number as key"
    assert isinstance(filters["nested"]["deeper"]["deepest"], str)  # nested beyond three levels: kept as text
    assert filters["list"] == list(range(20)) and filters["set"] == ["x"]
    assert filters["object"].startswith("<object object")
    assert audit_chain_verify().intact


def test_oversized_filters_are_kept_as_cut_text(db):
    event = stored(record(filters={f"key{number}": "v" * 200 for number in range(20)}))

    assert list(event.filters) == ["truncated"] and len(event.filters["truncated"]) == MAX_FILTERS_JSON
    assert audit_chain_verify().intact


@pytest.mark.parametrize(
    ("filters", "expected"), [(None, {}), ("not a mapping", {"value": "not a mapping"}), ([1, 2], {"value": [1, 2]})]
)
def test_filters_that_are_not_a_mapping_are_kept_under_value(db, filters, expected):
    assert stored(record(filters=filters)).filters == expected


@pytest.mark.parametrize(
    ("row_count", "expected"), [(12, 12), (-1, None), (True, None), ("12", None), (10**12, 2_147_483_647)]
)
def test_row_counts_that_do_not_fit_are_dropped_or_capped(db, row_count, expected):
    assert stored(record(row_count=row_count)).row_count == expected


def test_a_request_without_a_user_is_recorded_as_nobody(db):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")  # no AuthenticationMiddleware ran
    event = stored(audit_record(request=request, action="link.open"))
    assert (event.user, event.username, event.ip_address) == (None, "", "10.0.0.9")


def test_behind_a_trusted_proxy_the_client_address_is_recorded_not_the_proxys(settings, nurse):
    settings.RATELIMIT_TRUSTED_PROXY_COUNT = 1
    response = as_user(nurse).get(
        reverse("staff:dashboard"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9"
    )

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="dashboard.view").ip_address == "203.0.113.9"


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(nurse):
    as_user(nurse).get(reverse("staff:dashboard"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AuditEvent.objects.get(action="dashboard.view").ip_address == "10.0.0.2"


def _record_from(address):
    return audit_record(request=request_as(REMOTE_ADDR=address), action="dashboard.view")


def test_an_ipv6_client_is_recorded_whole_not_as_its_64_network(db):
    event = stored(_record_from("2001:DB8:1:2:3:4:5:6"))
    assert event.ip_address == "2001:db8:1:2:3:4:5:6"
    assert audit_chain_verify().intact


CASES = [
    (0, {"REMOTE_ADDR": "203.0.113.7"}),
    (0, {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}),
    (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9"}),
    (2, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9, 10.0.0.3"}),
    (2, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}),  # fewer hops than trusted
    (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "2001:db8:1:2:3:4:5:6"}),
    (0, {"REMOTE_ADDR": "::ffff:198.51.100.4"}),
    (0, {"REMOTE_ADDR": "fe80::1%eth0"}),
]


@pytest.mark.parametrize(("trusted", "meta"), CASES)
def test_the_recorded_address_follows_the_rate_limits_trust_rule(settings, trusted, meta):
    """Both pick the same hop; the rate limit then counts IPv6 per /64, which holds the recorded address."""
    settings.RATELIMIT_TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", **meta)

    recorded, counted = client_ip(request), ratelimit.client_address(request)

    assert ipaddress.ip_address(recorded) in ipaddress.ip_network(counted)


@pytest.mark.parametrize("address", ["", "unknown", "999.1.1.1", "not-an-address"])
def test_an_address_that_is_not_one_is_recorded_as_none(db, address):
    assert stored(_record_from(address)).ip_address is None

"""portal.ratelimit (wrong patient-link guesses per address) and portal.cache (its atomic counter)."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from portal import ratelimit
from portal.reading.tests.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def guess(client, number=0, address="203.0.113.7"):
    return client.get(reverse("patient:open", kwargs={"token": f"wrong-guess-{number:04d}"}), REMOTE_ADDR=address)


def test_after_20_wrong_links_in_the_window_an_address_gets_429_but_a_valid_link_still_opens(client, settings):
    assert settings.PATIENT_LINK_MAX_BAD_TRIES == 20
    _, token = make_session()

    statuses = [guess(client, number).status_code for number in range(20)]
    blocked = guess(client, 20)
    valid = client.get(reverse("patient:open", kwargs={"token": token}), REMOTE_ADDR="203.0.113.7")

    assert statuses == [404] * 20
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == str(settings.PATIENT_LINK_BAD_TRY_WINDOW_SECONDS)
    assert blocked["Referrer-Policy"] == "no-referrer"
    assert "Please wait a few minutes" in blocked.content.decode()
    assert valid.status_code == 302  # a valid token is never refused (issue 9, point 5)


def test_other_addresses_are_not_blocked(client, settings):
    settings.PATIENT_LINK_MAX_BAD_TRIES = 3
    _, token = make_session()
    for number in range(3):
        guess(client, number)

    assert guess(client, 3).status_code == 429
    assert guess(client, 4, address="198.51.100.1").status_code == 404
    other = client.get(reverse("patient:open", kwargs={"token": token}), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 302


def test_valid_links_do_not_count_as_wrong_guesses(client, settings):
    settings.PATIENT_LINK_MAX_BAD_TRIES = 2
    _, token = make_session()
    for _ in range(5):
        assert (
            client.get(reverse("patient:open", kwargs={"token": token}), REMOTE_ADDR="203.0.113.9").status_code == 302
        )


def test_the_block_ends_with_the_window(client, settings):
    settings.PATIENT_LINK_MAX_BAD_TRIES = 2
    settings.PATIENT_LINK_BAD_TRY_WINDOW_SECONDS = 3  # room for three guesses on a busy machine
    guess(client, 1)
    guess(client, 2)
    assert guess(client, 3).status_code == 429

    time.sleep(4.1)  # past the window; the database cache stores expiry times in whole seconds

    assert guess(client, 4).status_code == 404


def test_ipv6_addresses_are_counted_per_64_network_and_ipv4_mapped_addresses_as_ipv4():
    factory = RequestFactory()

    def address(remote):
        return ratelimit.client_address(factory.get("/", REMOTE_ADDR=remote))

    assert address("2001:db8:1:2::1") == address("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address("2001:db8:1:3::1") != address("2001:db8:1:2::1")
    assert address("::ffff:203.0.113.5") == "203.0.113.5"
    assert address("not an address") == "unknown"


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7")

    assert ratelimit.client_address(request) == "10.0.0.1"
    settings.RATELIMIT_TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_address(request) == "198.51.100.7"


def test_the_database_cache_incr_keeps_the_entry_expiry():
    cache.add("counter", 0, timeout=2)
    for _ in range(5):
        cache.incr("counter")
    assert cache.get("counter") == 5

    time.sleep(3.1)

    assert cache.get("counter") is None
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_the_database_cache_incr_and_decr_fail_for_a_missing_key_and_count_both_ways():
    with pytest.raises(ValueError):
        cache.incr("never-set")
    with pytest.raises(ValueError):
        cache.decr("never-set")
    cache.set("counter", 10)
    assert cache.incr("counter", 5) == 15
    assert cache.decr("counter", 3) == 12
    assert cache.get("counter") == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_wrong_guesses_on_several_connections_are_all_counted():
    """16 threads, each with its own database connection (as separate app servers have), count at once."""
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.50")
    threads_count, per_thread = 16, 5
    barrier = threading.Barrier(threads_count)
    errors = []

    def worker():
        try:
            barrier.wait()
            for _ in range(per_thread):
                ratelimit.count_bad_try(request)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ratelimit.bad_tries(request) == threads_count * per_thread


def test_the_count_is_per_address_not_per_browser():
    """Wrong guesses from several browsers (new cookies each) at one address add up: the 21st is refused."""
    clients = [Client() for _ in range(4)]
    statuses = [guess(clients[number % 4], number).status_code for number in range(24)]
    assert statuses.count(404) == 20 and statuses[20:] == [429] * 4

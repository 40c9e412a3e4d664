"""`check --deploy` notices proxy settings that disagree and patient links over plain http (portal.checks)."""

import pytest

from portal.tests.django_subprocess import production_env, run_manage


def check_deploy(**env):
    completed = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**env))
    return completed.returncode, completed.stdout + completed.stderr


def test_behind_a_tls_proxy_with_no_trusted_proxy_count_is_a_warning():
    returncode, output = check_deploy(DJANGO_BEHIND_TLS_PROXY="true")
    assert returncode != 0
    assert "portal.W001" in output
    assert "RATELIMIT_TRUSTED_PROXY_COUNT" in output


def test_a_trusted_proxy_count_without_a_tls_proxy_is_a_warning():
    returncode, output = check_deploy(RATELIMIT_TRUSTED_PROXY_COUNT="1")
    assert returncode != 0
    assert "portal.W002" in output
    assert "DJANGO_BEHIND_TLS_PROXY" in output


@pytest.mark.parametrize(
    "proxy",
    [{}, {"DJANGO_BEHIND_TLS_PROXY": "true", "RATELIMIT_TRUSTED_PROXY_COUNT": "1"}],
    ids=["no-proxy", "readme-proxy"],
)
def test_consistent_proxy_settings_pass(proxy):
    returncode, output = check_deploy(**proxy)
    assert returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_patient_links_over_plain_http_are_a_warning():
    returncode, output = check_deploy(PORTAL_BASE_URL="http://portal.example.org")
    assert returncode != 0
    assert "portal.W003" in output

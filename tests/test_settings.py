"""Settings: production refuses unsafe secrets and passes Django's deployment checks; tests hash fast."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured

from claims_api.settings.base import DEFAULT_DATABASE_URL, env_bool

ROOT = Path(__file__).resolve().parent.parent
LOAD_SETTINGS = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def production(*args: str, secret_key: str | None, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    environment["DJANGO_SETTINGS_MODULE"] = "claims_api.settings.production"
    environment["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("short-but-random-7f3a9c", id="short"),
        pytest.param("development-only-secret-key-not-for-production", id="development-default"),
        pytest.param("django-insecure-" + "x7" * 30, id="django-insecure-prefix"),
    ],
)
def test_production_refuses_an_unsafe_secret_key(secret_key):
    result = production("-c", LOAD_SETTINGS, secret_key=secret_key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set in the environment to a long random value (50+ characters)" in result.stderr


def test_production_with_a_good_key_passes_the_deployment_checks():
    key = secrets.token_urlsafe(45)
    assert len(key) == 60
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING", secret_key=key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_turns_debug_off_and_redirects_to_https_by_default():
    key = secrets.token_urlsafe(45)
    code = LOAD_SETTINGS + "; print(settings.SECURE_SSL_REDIRECT)"
    result = production("-c", code, secret_key=key, DEBUG="true", SECURE_SSL_REDIRECT="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]

    result = production("-c", code, secret_key=key, SECURE_SSL_REDIRECT="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_test_settings_use_the_fast_md5_hasher():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert make_password("correct horse battery staple").startswith("md5$")


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on"])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("CLAIMS_TEST_FLAG", value)
    assert env_bool("CLAIMS_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("CLAIMS_TEST_FLAG", value)
    assert env_bool("CLAIMS_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", [None, ""])
def test_env_bool_falls_back_to_the_default_when_unset_or_empty(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CLAIMS_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("CLAIMS_TEST_FLAG", value)
    assert env_bool("CLAIMS_TEST_FLAG", True) is True
    assert env_bool("CLAIMS_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["maybe", "tru", "2", "enabled"])
def test_env_bool_rejects_garbage(monkeypatch, value):
    monkeypatch.setenv("CLAIMS_TEST_FLAG", value)
    expected = rf"CLAIMS_TEST_FLAG must be a boolean \(true/false\), not '{value}'"
    with pytest.raises(ImproperlyConfigured, match=expected):
        env_bool("CLAIMS_TEST_FLAG", False)

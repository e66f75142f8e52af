"""Throttling (429 with Retry-After), admin login lockout, security headers and production settings."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.services import curator_create
from claims_api.settings.base import DEFAULT_DATABASE_URL

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = "/api/v1/claims/"


@pytest.fixture
def tight_throttle(monkeypatch, settings):
    """Rates low enough to hit, per hour, so that no window ends (and no count starts again) during a test.
    DRF's throttles copy the rates when their module is imported, so the class attribute is replaced
    alongside the setting."""
    rates = {"anon": "3/hour", "user": "5/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield rates
    cache.clear()


def _assert_throttled(response):
    assert response.status_code == 429
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert {key: body[key] for key in ("type", "title", "status", "code", "errors")} == {
        "type": "tag:claims-api,2026:problem:throttled",
        "title": "Too Many Requests",
        "status": 429,
        "code": "throttled",
        "errors": [],
    }
    assert "throttled" in body["detail"].lower()
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert str(retry_after) in body["detail"]
    # The RateLimit fields agree with Retry-After: nothing left until then.
    assert response["RateLimit"].endswith(f";r=0;t={retry_after}")


def test_anonymous_clients_are_throttled_with_retry_after(api_client, tight_throttle):
    for used in range(1, 4):
        response = api_client.get(CLAIMS)
        assert response.status_code == 200
        # Every answer says how much of the quota is left, not only the 429.
        assert response["RateLimit-Policy"] == '"anon";q=3;w=3600'
        assert response["RateLimit"].startswith(f'"anon";r={3 - used};t=')
        assert 1 <= int(response["RateLimit"].rsplit("=", 1)[1]) <= 3600
    _assert_throttled(api_client.get(CLAIMS))
    _assert_throttled(api_client.get("/api/v1/actors/"))  # the budget is per client, across endpoints


def test_a_forged_x_forwarded_for_does_not_dodge_the_throttle(api_client, tight_throttle):
    for index in range(3):
        assert api_client.get(CLAIMS, HTTP_X_FORWARDED_FOR=f"10.0.0.{index}").status_code == 200
    _assert_throttled(api_client.get(CLAIMS, HTTP_X_FORWARDED_FOR="10.0.0.99"))


def test_authenticated_clients_have_their_own_higher_budget(tight_throttle):
    _, token = curator_create(username="throttled-curator")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    for _ in range(5):
        response = client.get(CLAIMS)
        assert response.status_code == 200
        assert response["RateLimit-Policy"] == '"user";q=5;w=3600'
    _assert_throttled(client.get(CLAIMS))
    # Another client (anonymous, same address) still has its own budget.
    assert APIClient().get(CLAIMS).status_code == 200


def test_an_unreachable_cache_leaves_clients_unthrottled_not_refused(api_client, tight_throttle, settings):
    """The counters live in the shared cache: while it cannot be reached, requests are answered (without the
    RateLimit fields, since nothing was counted), not refused with 429 nor failed."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    for _ in range(5):  # past the quota of 3
        response = api_client.get(CLAIMS)
        assert response.status_code == 200
        assert "RateLimit" not in response


def test_health_probes_are_never_throttled(api_client, tight_throttle):
    for _ in range(6):
        assert api_client.get("/healthz").status_code == 200
        assert api_client.get("/readyz").status_code == 200


def test_rates_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'], settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "claims_api.settings.development",
        "THROTTLE_ANON": "7/second",
        "THROTTLE_USER": "70/second",
        "NUM_PROXIES": "1",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'anon': '7/second', 'user': '70/second'} 1"


def _login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"})


def test_admin_login_is_locked_after_repeated_failures(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    user, _ = curator_create(username="guessed", password="correct horse battery staple 9")
    client = Client()
    for _ in range(4):
        failed = _login(client, "guessed", "wrong-guess")
        assert failed.status_code == 200 and b"Please enter the correct username" in failed.content
    assert _login(client, "guessed", "correct horse battery staple 9").status_code == 302  # success resets the count
    client.logout()

    for _ in range(5):
        _login(client, "guessed", "wrong-guess")
    locked = _login(client, "guessed", "correct horse battery staple 9")
    assert locked.status_code == 429  # even the right password is refused while locked out
    assert "_auth_user_id" not in client.session
    # The lockout is for this username from this address: other accounts can still sign in from here.
    curator_create(username="colleague", password="another long passphrase 77")
    assert _login(Client(), "colleague", "another long passphrase 77").status_code == 302


def test_a_login_through_the_test_client_still_works():
    """Logins without a request (Django's test client, scripts) are not counted and not refused."""
    get_user_model().objects.create_user("scripted", password="x-very-long-passphrase")
    assert Client().login(username="scripted", password="x-very-long-passphrase")


def test_security_headers_on_api_responses(api_client):
    response = api_client.get(CLAIMS)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    _, token = curator_create(username="header-curator")
    private = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(CLAIMS)
    # Curators see drafts: their answers must never be kept by a shared cache.
    assert private["Cache-Control"] == "private, no-cache"


def _production(code: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECURE_SSL_REDIRECT", "DEBUG")}
    environment.update(
        DJANGO_SETTINGS_MODULE="claims_api.settings.production",
        SECRET_KEY=secrets.token_urlsafe(45),
        DATABASE_URL=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_and_redirects_to_https_except_for_the_health_probes():
    code = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
secure = client.get("/healthz", secure=True)
answers = {
    "secure_healthz": secure.status_code,
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "plain_api": client.get("/api/v1/claim-kinds/").status_code,
    "plain_healthz": client.get("/healthz").status_code,
    "session_cookie_secure": __import__("django.conf").conf.settings.SESSION_COOKIE_SECURE,
}
print(json.dumps(answers))
"""
    answers = _production(code)
    assert answers["secure_healthz"] == 200
    assert answers["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert answers["plain_api"] == 301  # everything else moves to HTTPS
    assert answers["plain_healthz"] == 200  # probes from inside the network speak plain HTTP
    assert answers["session_cookie_secure"] is True

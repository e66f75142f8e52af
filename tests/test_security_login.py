"""Admin sign-in: a new session key at every login, and the password rules applied where passwords are set.

(The lockout after repeated failures is tested through the same login form in test_security_limits.py.)
"""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from apps.accounts.services import curator_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 9"


def _login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"})


def test_logging_in_gives_a_new_session_key_and_ends_the_old_one():
    curator_create(username="rotated", password=PASSWORD)
    client = Client()
    # A session from before the login, as one an attacker could have planted (session fixation).
    planted = SessionStore()
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    assert _login(client, "rotated", PASSWORD).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert client.get("/admin/").status_code == 200
    # The planted key opens nothing.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert attacker.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("new_password", "refusal"),
    [
        ("short9x", "This password is too short."),
        ("password123", "This password is too common."),
        ("40917265318", "This password is entirely numeric."),
        ("validator-curator-1", "The password is too similar to the username."),
    ],
)
def test_weak_passwords_are_refused_when_a_curator_changes_theirs(new_password, refusal):
    curator_create(username="validator-curator", password=PASSWORD)
    client = Client()
    assert _login(client, "validator-curator", PASSWORD).status_code == 302
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert refusal in response.content.decode()
    client.logout()
    assert _login(Client(), "validator-curator", new_password).status_code == 200  # not changed
    assert _login(Client(), "validator-curator", PASSWORD).status_code == 302


def test_a_strong_password_is_accepted_and_works_at_the_next_login():
    curator_create(username="strong-curator", password=PASSWORD)
    client = Client()
    assert _login(client, "strong-curator", PASSWORD).status_code == 302
    new = "a much longer passphrase, 2026"
    changed = client.post(
        "/admin/password_change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert changed.status_code == 302
    assert _login(Client(), "strong-curator", new).status_code == 302


def test_create_curator_applies_the_same_rules(monkeypatch):
    answers = iter(["password123", "password123"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="too common"):
        call_command("create_curator", "weak-curator", "--password-prompt")

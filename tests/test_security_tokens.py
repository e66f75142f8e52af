"""API tokens: hashed at rest, shown once, expiring, listable and revocable by their owner and superusers."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.services import curator_create, token_issue

pytestmark = pytest.mark.django_db


def _with_token(token: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {token}")


def _can_write(client: APIClient) -> int:
    """The status of a harmless authenticated write attempt (an actor that fails validation: 400 when authenticated)."""
    return client.post("/api/v1/actors/", {"slug": ""}, format="json").status_code


def test_the_token_table_holds_no_usable_secret():
    _, token = curator_create(username="table-reader")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        columns = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    stored = [str(value) for row in rows for value in row]
    assert stored and token not in " ".join(stored)
    assert not any(token in value or value == token for value in stored)
    # Whatever is stored, presented as a token, opens nothing; the real token does.
    for row in rows:
        for name, value in zip(columns, row, strict=True):
            if isinstance(value, str) and value:
                assert _can_write(_with_token(value)) == 401, name
    assert _can_write(_with_token(token)) == 400
    # No table of the database holds it either (DRF's plain-text token table is gone).
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone()[0] is None


def test_tokens_expire_after_the_configured_days():
    user, token = curator_create(username="expiring")
    stored = AuthToken.objects.get(user=user)
    assert abs(stored.expiry - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(minutes=1)
    assert _can_write(_with_token(token)) == 400
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = _with_token(token).get("/api/v1/actors/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


def test_a_deactivated_users_token_is_refused():
    user, token = curator_create(username="leaver")
    user.is_active = False
    user.save()
    assert _with_token(token).get("/api/v1/claims/").status_code == 401


def test_owners_list_their_tokens_without_the_secret_and_revoke_them():
    user, first = curator_create(username="owner")
    second = token_issue(user=user)
    _, other = curator_create(username="someone-else")
    client = _with_token(first)
    listed = client.get("/api/v1/tokens/").json()
    assert [item["user"] for item in listed] == ["owner", "owner"]
    assert {item["key"] for item in listed} == {first[:15], second[:15]}
    assert [item["current"] for item in listed if item["key"] == first[:15]] == [True]
    assert first not in str(listed) and second not in str(listed)

    assert client.delete(f"/api/v1/tokens/{other[:15]}/").status_code == 404  # not theirs: as if absent
    assert _can_write(_with_token(other)) == 400
    assert client.delete(f"/api/v1/tokens/{second[:15]}/").status_code == 204
    assert _can_write(_with_token(second)) == 401
    assert client.delete(f"/api/v1/tokens/{first[:15]}/").status_code == 204  # its own: signs itself out
    assert _can_write(client) == 401


def test_superusers_list_and_revoke_anyones_tokens_and_anonymous_clients_nothing(api_client):
    _, token = curator_create(username="watched")
    chief = get_user_model().objects.create_superuser("token-chief", password="a-long-chief-passphrase")
    chief_client = APIClient()
    chief_client.force_authenticate(chief)
    assert token[:15] in {item["key"] for item in chief_client.get("/api/v1/tokens/").json()}
    assert chief_client.delete(f"/api/v1/tokens/{token[:15]}/").status_code == 204
    assert _can_write(_with_token(token)) == 401
    assert api_client.get("/api/v1/tokens/").status_code == 401


@override_settings(REST_KNOX={"TOKEN_TTL": datetime.timedelta(days=7)})
def test_the_lifetime_is_configurable():
    user, _ = curator_create(username="short-lived")
    expiry = AuthToken.objects.get(user=user).expiry
    assert abs(expiry - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)


def test_create_curator_shows_the_token_once(capsys):
    call_command("create_curator", "shown-once")
    printed = capsys.readouterr().out.split("API token:")[1].strip()
    assert _can_write(_with_token(printed)) == 400
    assert not AuthToken.objects.filter(digest=printed).exists()


def _command_output(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_curator_token_only_prints_nothing_but_the_token():
    out, _ = _command_output("create_curator", "token-only", "--token-only")
    token = out.strip()
    assert out == f"{token}\n" and " " not in token
    assert _can_write(_with_token(token)) == 400


def test_rotate_token_revokes_every_earlier_token_and_prints_a_working_one():
    user, first = curator_create(username="rotating")
    second = token_issue(user=user)
    _, untouched = curator_create(username="bystander")
    out, err = _command_output("rotate_token", "rotating")
    new = out.strip()
    assert out == f"{new}\n" and new not in (first, second)
    assert "Revoked" in err
    assert _can_write(_with_token(first)) == 401
    assert _can_write(_with_token(second)) == 401
    assert _can_write(_with_token(new)) == 400
    assert _can_write(_with_token(untouched)) == 400, "other users keep their tokens"
    assert AuthToken.objects.filter(user=user).count() == 1


def test_rotate_token_for_an_unknown_user_says_how_to_create_one():
    with pytest.raises(CommandError, match="There is no user nobody-here; `manage.py create_curator nobody-here`"):
        call_command("rotate_token", "nobody-here")


def test_create_curator_for_an_existing_user_points_to_rotate_token():
    _, token = curator_create(username="twice")
    with pytest.raises(CommandError, match="The user twice exists already.*`manage.py rotate_token twice`"):
        call_command("create_curator", "twice", "--token-only")
    assert _can_write(_with_token(token)) == 400, "the existing account and its token are left alone"


def test_tokens_from_before_hashing_keep_working_hashed_and_their_table_is_dropped():
    """The migration to hashed tokens, run on a database that still has DRF's plain-text token table."""
    import importlib

    from django.apps import apps
    from django.db import connection as db

    migration = importlib.import_module("apps.accounts.migrations.0003_hashed_api_tokens")
    user = get_user_model().objects.create_user("old-token-holder", is_staff=True)
    old_key = "0123456789abcdef0123456789abcdef01234567"  # DRF's format: 40 hex characters
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer)")
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s)", [old_key, user.pk])
    with db.schema_editor() as editor:
        migration.hash_existing_tokens(apps, editor)
    stored = AuthToken.objects.get(user=user)
    assert stored.digest != old_key and old_key not in stored.token_key + stored.digest
    assert stored.expiry > timezone.now() + datetime.timedelta(days=89)
    assert _with_token(old_key).get("/api/v1/tokens/").json()[0]["key"] == old_key[:15]
    with db.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token')")
        assert cursor.fetchone()[0] is None

"""API tokens move from DRF's authtoken table, which stored each secret as it is, to django-rest-knox's,
which stores a SHA-512 hash. Each existing token keeps working (its hash is stored under its first
characters, as knox looks tokens up) until it expires like a new one; then the old table, with the
secrets in it, is dropped."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def hash_existing_tokens(apps, schema_editor):
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS, knox_settings

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # a database made after the move
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        auth_token = apps.get_model("knox", "AuthToken")
        expiry = timezone.now() + knox_settings.TOKEN_TTL
        auth_token.objects.bulk_create(
            auth_token(digest=hash_token(key), token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user_id=user_id, expiry=expiry)
            for key, user_id in rows
        )
        cursor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_reviewers_group"),
        ("knox", "0009_extend_authtoken_field"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Irreversible: the secrets are gone once hashed, which is the point.
    operations = [migrations.RunPython(hash_existing_tokens)]

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from apps.accounts.groups import CURATORS, REVIEWERS


@transaction.atomic
def curator_create(
    *, username: str, email: str = "", password: str | None = None, reviewer: bool = False
) -> tuple[object, str]:
    """A staff user in the curators group (the reviewers group with ``reviewer``), with an API token. Without a
    password, the account can only use the token until a password is set (``manage.py changepassword``)."""
    user_model = get_user_model()
    user = user_model(username=username, email=email, is_staff=True)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=REVIEWERS if reviewer else CURATORS))
    token = Token.objects.create(user=user)
    return user, token.key

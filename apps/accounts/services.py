from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from knox.models import AuthToken

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
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=REVIEWERS if reviewer else CURATORS))
    return user, token_issue(user=user)


def token_issue(*, user) -> str:
    """A new API token for ``user``, valid for REST_KNOX's TOKEN_TTL (API_TOKEN_TTL_DAYS). Only its hash is
    stored: the returned secret is shown once and cannot be recovered, only revoked and replaced."""
    _, secret = AuthToken.objects.create(user=user)
    return secret


@transaction.atomic
def token_rotate(*, user) -> str:
    """Revoke every API token of ``user`` and issue a new one: a lost secret cannot be shown again, only
    replaced, and whoever holds the old one is shut out at the same moment."""
    AuthToken.objects.filter(user=user).delete()
    return token_issue(user=user)


def tokens_visible(user):
    """The API tokens ``user`` may list and revoke: their own, or everyone's for a superuser."""
    tokens = AuthToken.objects.all()
    return tokens if user.is_superuser else tokens.filter(user=user)


def tokens_revoke(*, tokens, key: str) -> None:
    """Revoke the tokens among ``tokens`` whose key (first characters) is ``key``; 404 when there is none."""
    deleted, _ = tokens.filter(token_key=key).delete()
    if not deleted:
        raise Http404("No such token.")

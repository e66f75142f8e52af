from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import token_rotate


class Command(BaseCommand):
    help = (
        "Revoke every API token of a user and print a new one (only the token, so that "
        'TOKEN="$(manage.py rotate_token alice)" works). A token is shown once: this is how to get one again.'
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get_by_natural_key(username)
        except user_model.DoesNotExist:
            raise CommandError(
                f"There is no user {username}; `manage.py create_curator {username}` creates one."
            ) from None
        token = token_rotate(user=user)
        self.stderr.write(f"Revoked the earlier tokens of {user.username}; the new one follows.")
        self.stdout.write(token)

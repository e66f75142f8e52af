import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import curator_create
from apps.core.validation import validation_text


class Command(BaseCommand):
    help = "Create a curator account (staff, in the curators group) and print its API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-prompt",
            action="store_true",
            help="Ask for a password for the admin; without it the account has only its API token until "
            "`manage.py changepassword` sets one.",
        )

    def handle(self, *args, username, email, password_prompt, **options):
        password = None
        if password_prompt:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user, token = curator_create(username=username, email=email, password=password)
        except ValidationError as error:
            raise CommandError(validation_text(error)) from None
        self.stdout.write(f"Created curator {user.username}.")
        self.stdout.write(f"API token: {token}")

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.services import curator_create
from apps.core.validation import validation_text


class Command(BaseCommand):
    help = (
        "Create a curator account (staff, in the curators group; with --reviewer in the reviewers group) "
        "and print its API token."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--reviewer",
            action="store_true",
            help="A reviewer: may also mark claims reviewed, published or rejected (never one they last edited).",
        )
        parser.add_argument(
            "--password-prompt",
            action="store_true",
            help="Ask for a password for the admin; without it the account has only its API token until "
            "`manage.py changepassword` sets one.",
        )
        parser.add_argument(
            "--token-only",
            action="store_true",
            help='Print nothing but the token, for a shell: TOKEN="$(manage.py create_curator alice --token-only)".',
        )

    def handle(self, *args, username, email, password_prompt, reviewer, token_only, **options):
        password = None
        if password_prompt:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user, token = curator_create(username=username, email=email, password=password, reviewer=reviewer)
        except ValidationError as error:
            taken = hasattr(error, "error_dict") and any(
                problem.code == "unique" for problem in error.error_dict.get("username", [])
            )
            if taken:
                raise CommandError(
                    f"The user {username} exists already. Its token cannot be shown again: "
                    f"`manage.py rotate_token {username}` revokes it and prints a new one."
                ) from None
            raise CommandError(validation_text(error)) from None
        if token_only:
            self.stdout.write(token)
            return
        self.stdout.write(f"Created {'reviewer' if reviewer else 'curator'} {user.username}.")
        self.stdout.write(f"API token: {token}")

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.claims.fixture_loader import FixtureError, fixtures_load


class Command(BaseCommand):
    help = "Load the curated fixtures (sources, actors, claims, relations). Idempotent and all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, default=settings.FIXTURES_DIR, help="Fixture folder.")

    def handle(self, *args, directory: Path, **options):
        try:
            report = fixtures_load(directory=directory)
        except FixtureError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        for line in report.lines():
            self.stdout.write(line)

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.claims.dumps import DumpError, dump_import


class Command(BaseCommand):
    help = (
        "Load a dump written by `manage.py export` from DIRECTORY into an empty database: every file's SHA-256 "
        "is checked against manifest.json first, records keep their ids and times, and nothing is written "
        "unless everything is."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            counts = dump_import(directory=directory)
        except DumpError as error:
            raise CommandError(f"Nothing was imported from {directory}. {error}") from None
        loaded = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(f"Imported {loaded} from {directory}.")

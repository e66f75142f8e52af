from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.claims.bulk_import import BATCH_SIZE, NdjsonImportError, ndjson_import


class Command(BaseCommand):
    help = (
        "Import actors, sources and claims from an NDJSON file (one JSON object per line, with a 'type' of "
        "actor, source or claim and the API's write field names). All-or-nothing per file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Claims written per COPY batch.")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")

    def handle(self, *args, path: Path, batch_size: int, no_progress: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        with tqdm(unit=" claims", disable=no_progress, desc="importing", mininterval=1) as bar:
            try:
                summary = ndjson_import(path=path, batch_size=batch_size, progress=bar.update)
            except NdjsonImportError as error:
                lines = "\n".join(f"  line {line}: {field or '-'}: {message}" for line, field, message in error.errors)
                raise CommandError(f"Nothing was imported from {path}; fix these lines:\n{lines}") from None
        self.stdout.write(
            f"Imported {summary.claims} claims, {summary.sources} sources and {summary.actors} actors "
            f"from {summary.lines} lines of {path}."
        )

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.claims.dumps import dump_write


class Command(BaseCommand):
    help = (
        "Write a dump into DIRECTORY: claims, sources (with their text), actors and relations as gzipped "
        "NDJSON and CSV, and manifest.json (counts, SHA-256 of every file, data version, time, API version)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the API is served: the records' URLs start with it (default http://127.0.0.1:8000).",
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="Only what anonymous readers see: published claims and their relations, without curator notes. "
            "Without it the dump holds everything, drafts included.",
        )

    def handle(self, *args, directory: Path, base_url: str, published: bool, **options):
        manifest = dump_write(directory=directory, base_url=base_url, everything=not published)
        counts = ", ".join(f"{count} {name}" for name, count in manifest["counts"].items())
        self.stdout.write(f"Wrote {counts} to {directory} (data version {manifest['data_version'][:12]}).")

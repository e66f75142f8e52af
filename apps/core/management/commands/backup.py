"""A consistent backup: pg_dump's custom format and a manifest saying what is in it."""

import datetime
import json
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.core.backups import COUNTED_TABLES, data_version, database_url, file_sha256


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (pg_dump, custom format) and a manifest beside it: "
        "when, the data version (migrations applied) and the row counts of the main tables."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=str(settings.BASE_DIR / "backups"), help="Where to write (default: backups/)."
        )

    def handle(self, *args, dir, **options):
        directory = Path(dir)
        directory.mkdir(parents=True, exist_ok=True)
        taken_at = datetime.datetime.now(datetime.UTC)
        path = directory / f"claims_api-{taken_at:%Y%m%dT%H%M%SZ}.dump"
        # The counts and the dump read one snapshot: the manifest describes exactly the dumped data,
        # however many writes land meanwhile.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = {}
                for table in COUNTED_TABLES:
                    cursor.execute(f"SELECT count(*) FROM {table}")  # names from a constant list
                    counts[table] = cursor.fetchone()[0]
                version = data_version(cursor)
            dump = subprocess.run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}", database_url()],
                capture_output=True,
                text=True,
            )
        if dump.returncode != 0:
            path.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {dump.stderr.strip()}")
        manifest = {
            "file": path.name,
            "sha256": file_sha256(path),
            "taken_at": taken_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "database": connection.settings_dict["NAME"],
            "data_version": version,
            "counts": counts,
        }
        manifest_path = path.with_suffix(".manifest.json")
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
        self.stdout.write(f"Backed up to {path} ({', '.join(f'{n} {t}' for t, n in counts.items())}).")
        self.stdout.write(f"Manifest: {manifest_path}")

"""Restore a backup made by `manage.py backup` into an empty database."""

import json
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.core.backups import COUNTED_TABLES, database_url, file_sha256


class Command(BaseCommand):
    help = (
        "Restore a backup (a .dump file from `manage.py backup`, checked against its manifest) into the "
        "configured database, which must be empty unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .dump file; its .manifest.json must lie beside it.")
        parser.add_argument(
            "--force", action="store_true", help="Replace what a non-empty database holds with the backup's data."
        )

    def handle(self, *args, file, force, **options):
        path = Path(file)
        manifest_path = path.with_suffix(".manifest.json")
        if not path.is_file() or not manifest_path.is_file():
            raise CommandError(f"Need both {path} and {manifest_path}.")
        manifest = json.loads(manifest_path.read_text())
        if file_sha256(path) != manifest["sha256"]:
            raise CommandError(
                f"{path} does not match its manifest's checksum: the file is damaged or not that backup."
            )
        tables = connection.introspection.table_names()
        if tables and not force:
            raise CommandError(
                f"The database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables). Restore into "
                "an empty database, or give --force to replace its contents with the backup's."
            )
        connection.close()  # pg_restore needs the database to itself when it drops and recreates objects
        command = ["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", f"--dbname={database_url()}"]
        if force:
            command += ["--clean", "--if-exists"]
        restore = subprocess.run([*command, str(path)], capture_output=True, text=True)
        if restore.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was restored: {restore.stderr.strip()}")
        with connection.cursor() as cursor:
            counts = {}
            for table in COUNTED_TABLES:
                cursor.execute(f"SELECT count(*) FROM {table}")  # names from a constant list
                counts[table] = cursor.fetchone()[0]
        if counts != manifest["counts"]:
            raise CommandError(f"Restored, but the counts differ from the manifest's: {counts} != {manifest['counts']}")
        self.stdout.write(
            f"Restored {path.name} (taken {manifest['taken_at']}): {', '.join(f'{n} {t}' for t, n in counts.items())}."
        )

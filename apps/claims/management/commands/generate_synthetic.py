from pathlib import Path

from django.core.management.base import BaseCommand

from apps.claims.synthetic import synthetic_corpus_write


class Command(BaseCommand):
    help = "Write a deterministic synthetic NDJSON corpus (marked synthetic) for import_ndjson and the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Where to write the NDJSON file.")
        parser.add_argument("--claims", type=int, default=1_000_000)
        parser.add_argument("--actors", type=int, default=5_000)
        parser.add_argument("--sources", type=int, default=50_000)
        parser.add_argument("--publishers", type=int, default=500)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, path: Path, claims: int, actors: int, sources: int, publishers: int, seed: int, **options):
        counts = synthetic_corpus_write(
            path=path, claims=claims, seed=seed, actors=actors, sources=sources, publishers=publishers
        )
        self.stdout.write(
            f"Wrote {counts['claims']} claims, {counts['sources']} sources and {counts['actors']} actors to {path} "
            f"(seed {seed})."
        )

"""A realistic synthetic corpus for benchmarks and import tests, written as NDJSON for ``import_ndjson``.

Deterministic for a given seed. Everything it makes is marked synthetic: slugs
start with ``synthetic-``, titles with ``[synthetic]`` and publishers are
"Synthetic …", so it can never be mistaken for curated data. Load it into a
database of its own (``make bench`` uses ``claims_api_bench``).

The shape follows what real collections look like: country mentions and
publishers are Zipf-skewed, summaries and quotes draw on a Zipf-like vocabulary
(so some words are common and most are rare), and about 30 % of claims carry a
quantity.
"""

import datetime
import itertools
import random
from bisect import bisect
from pathlib import Path

import orjson
import pycountry

from apps.actors.models import ActorKind
from apps.claims.kinds import KIND_RULES, ClaimKind
from apps.claims.quantities import QuantityQualifier, QuantityUnit

QUANTITY_SHARE = 0.30
PUBLISHED_SHARE = 0.95
UNDATED_SOURCE_SHARE = 0.01
FIRST_DAY = datetime.date(2015, 1, 1)
DAYS = 3_650
SYLLABLES = [a + b for a in "bcdfghjklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou", "ar", "en")]
UNITS_BY_KIND = {
    ClaimKind.TROOP_DEPLOYMENT: QuantityUnit.SOLDIERS,
    ClaimKind.CASUALTIES: QuantityUnit.PEOPLE,
    ClaimKind.DISPLACEMENT: QuantityUnit.PEOPLE,
    ClaimKind.TERRITORIAL_CONTROL: QuantityUnit.PERCENT,
    ClaimKind.ARMS_TRANSFER: QuantityUnit.MISSILES,
}


class _Zipf:
    """Draws items with probability proportional to 1 / rank^s."""

    def __init__(self, items: list, s: float, rng: random.Random):
        self.items = items
        self.cumulative = list(itertools.accumulate(1 / (rank**s) for rank in range(1, len(items) + 1)))
        self.rng = rng

    def draw(self):
        return self.items[bisect(self.cumulative, self.rng.random() * self.cumulative[-1])]

    def words(self, count: int) -> str:
        return " ".join(self.draw() for _ in range(count))


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def _line(out, record: dict) -> None:
    out.write(orjson.dumps(record))
    out.write(b"\n")


def _quantity(rng: random.Random, kind: str) -> dict:
    unit = UNITS_BY_KIND.get(kind, QuantityUnit.OTHER)
    if unit == QuantityUnit.PERCENT:
        value = rng.randint(1, 99)
    else:
        value = round(10 ** rng.uniform(1, 5.5), -1)
    qualifier = rng.choice([QuantityQualifier.EXACT, QuantityQualifier.APPROXIMATELY, QuantityQualifier.MORE_THAN])
    words = {"exact": "", "approximately": "about ", "more_than": "over "}[qualifier]
    return {"value": value, "qualifier": qualifier, "unit": unit, "text": f"{words}{value:,.0f} {unit}"}


def synthetic_corpus_write(
    *,
    path: Path,
    claims: int = 1_000_000,
    seed: int = 1,
    actors: int = 5_000,
    sources: int = 50_000,
    publishers: int = 500,
    vocabulary: int = 30_000,
) -> dict[str, int]:
    """Write the corpus to ``path``; returns how many of each record it wrote."""
    rng = random.Random(seed)
    sources = max(1, min(sources, claims // 5 or 1))
    actors = max(2, min(actors, claims))
    words = _Zipf(_vocabulary(rng, vocabulary), 1.0, rng)
    codes = sorted(country.alpha_2 for country in pycountry.countries)
    rng.shuffle(codes)
    countries = _Zipf(codes, 1.1, rng)
    publisher_names = _Zipf([f"Synthetic Publisher {n:03d}" for n in range(1, publishers + 1)], 1.0, rng)
    kinds = [kind for kind in ClaimKind if kind != ClaimKind.OTHER]
    actor_kinds = [ActorKind.PERSON] * 6 + [ActorKind.STATE, ActorKind.COMPANY, ActorKind.ARMED_GROUP, ActorKind.MEDIA]

    with path.open("wb") as out:
        actor_rows = []
        for number in range(1, actors + 1):
            actor = {
                "type": "actor",
                "slug": f"synthetic-actor-{number:05d}",
                "name": f"{words.words(2).title()} {number}",
                "kind": rng.choice(actor_kinds),
                "country": countries.draw(),
            }
            actor_rows.append((actor["slug"], actor["country"]))
            _line(out, actor)
        actor_pick = _Zipf(actor_rows, 0.8, rng)

        written = 0
        for number in range(1, sources + 1):
            count = claims // sources + (1 if number <= claims % sources else 0)
            slug = f"synthetic-source-{number:06d}"
            sentences = [f"{words.words(rng.randint(8, 16)).capitalize()} ({number}.{i})." for i in range(count)]
            text = " ".join(sentences)
            undated = rng.random() < UNDATED_SOURCE_SHARE
            published = None if undated else (FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))).isoformat()
            _line(
                out,
                {
                    "type": "source",
                    "slug": slug,
                    "title": f"[synthetic] {words.words(6)}",
                    "publisher": publisher_names.draw(),
                    "published_on": published,
                    "published_precision": "unknown" if undated else "day",
                    "kind": "news",
                    "language": "en",
                    "text": text,
                    "metadata_notes": "Synthetic benchmark data; not a real document.",
                },
            )
            offset = 0
            for sentence in sentences:
                kind = rng.choice(kinds)
                rule = KIND_RULES[kind]
                subject, subject_country = actor_pick.draw()
                target, target_country = actor_pick.draw()
                location = countries.draw()
                claim = {
                    "type": "claim",
                    "source": slug,
                    "kind": kind,
                    "status": rng.choice(rule.statuses),
                    "summary": f"{kind.label}: {words.words(rng.randint(6, 12))}.",
                    "subject": subject,
                    "object": target,
                    "location": location,
                    "countries": sorted({location, subject_country, target_country}),
                    "quote": sentence,
                    "quote_start": offset,
                    "review_status": "published" if rng.random() < PUBLISHED_SHARE else "draft",
                    "confidence": rng.choice(["low", "medium", "high"]),
                }
                if rng.random() < QUANTITY_SHARE:
                    claim["quantity"] = _quantity(rng, kind)
                _line(out, claim)
                offset += len(sentence) + 1
                written += 1
    return {"actors": actors, "sources": sources, "claims": written}

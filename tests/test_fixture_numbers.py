"""Every number in the stored texts is a claim's quantity, or is listed in fixtures/number_exclusions.yaml
with the reason it is not (a date, a page's navigation, a figure of speech…)."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from apps.claims.models import Claim
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

EXCLUSIONS = Path(settings.FIXTURES_DIR) / "number_exclusions.yaml"

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
    "thousand thousands million millions billion billions dozen dozens tens half twice thrice "
    "first second third fourth fifth sixth seventh eighth ninth tenth"
).split()
# Digits (with thousands separators, decimals and a percent sign) anywhere, even inside a word
# ("F35", the translation's "21Yingshi"); number words as whole words.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def numbers_in(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in NUMBER.finditer(text)]


def _exclusions() -> dict[str, list[dict]]:
    return yaml.safe_load(EXCLUSIONS.read_text(encoding="utf-8")) or {}


def _covered(source: Source, start: int, end: int, number: str) -> bool:
    """Inside the passage of a claim of this source whose quantity's wording holds the number."""
    return any(
        claim.anchor.start <= start and end <= claim.anchor.end and number.lower() in claim.quantity_text.lower()
        for claim in source.claims.all()
        if hasattr(claim, "anchor")
    )


def _excluded_spans(source: Source, entries: list[dict]) -> list[tuple[int, int]]:
    spans = []
    for entry in entries:
        passage, reason = entry.get("passage"), entry.get("reason")
        assert passage and reason, f"{source.slug}: every exclusion needs a passage and a reason: {entry}"
        count = source.text.count(passage)
        assert count == 1, f"{source.slug}: exclusion passage {passage!r} occurs {count} times; quote more"
        start = source.text.index(passage)
        assert numbers_in(passage), f"{source.slug}: exclusion passage {passage!r} holds no number"
        spans.append((start, start + len(passage)))
    return spans


def test_the_exclusions_name_documents_that_exist():
    assert set(_exclusions()) <= set(Source.objects.values_list("slug", flat=True))


# Wordings that put a number off rather than explain it.
PLACEHOLDERS = re.compile(r"not yet|to be read|to do\b|todo|tbd|fixme|\?\?", re.IGNORECASE)


def test_every_exclusion_says_why_its_numbers_are_not_quantities():
    """A reason is a sentence that explains (a date, a name, navigation…), never a placeholder."""
    vague = [
        f"{slug}: {entry.get('passage')!r}: {entry.get('reason')!r}"
        for slug, entries in _exclusions().items()
        for entry in entries or []
        if not isinstance(entry.get("reason"), str)
        or len(entry["reason"].split()) < 3
        or PLACEHOLDERS.search(entry["reason"])
    ]
    assert not vague, "exclusions without a real reason:\n" + "\n".join(vague)


def test_every_number_in_the_texts_is_a_quantity_or_excused():
    exclusions = _exclusions()
    missing, stale = [], []
    sources = Source.objects.filter(claims__key__isnull=False).distinct().prefetch_related("claims__anchor")
    for source in sources:
        spans = _excluded_spans(source, exclusions.get(source.slug) or [])
        used = set()
        for start, end, number in numbers_in(source.text):
            if _covered(source, start, end, number):
                continue
            holding = [span for span in spans if span[0] <= start and end <= span[1]]
            if holding:
                used.update(holding)
                continue
            context = source.text[max(0, start - 40) : end + 40].replace("\n", " ")
            missing.append(f"{source.slug}: {number!r} in …{context}…")
        stale += [f"{source.slug}: {source.text[s:e]!r}" for s, e in spans if (s, e) not in used]
    assert not missing, "numbers neither a claim's quantity nor excused:\n" + "\n".join(missing)
    assert not stale, "exclusions that excuse nothing (every number in them is a quantity now):\n" + "\n".join(stale)


def test_a_quantity_wording_is_found_in_its_passage():
    """The other half: a quantity's wording is the text's, so the coverage above means something."""
    for claim in Claim.objects.filter(key__isnull=False).exclude(quantity_text="").select_related("anchor"):
        assert claim.quantity_text.lower() in claim.anchor.exact.lower(), claim.key


def test_numbers_are_found_as_digits_and_as_words():
    found = [n for _, _, n in numbers_in("Over 100,000 troops, 40% of it, two F35s; the fourth time, once.")]
    assert found == ["100,000", "40%", "two", "35", "fourth"]

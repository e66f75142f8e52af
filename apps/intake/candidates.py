"""Candidate claims: the sentences of a source that state a number, name a country or a known actor.

A candidate is a suggestion for a curator, never a claim: it carries the passage (already located
in the stored text), the quantity the sentence states, parsed with the same bounds rule as every
claim (``apps.claims.quantities``), and a kind, subject and location where the sentence makes them
clear. Accepting one goes through ``claim_create`` like any other claim.

Numbers are found as digits ("100,000", "63%"), number words and ordinals (number-parser), simple
fractions ("half") and the vague amounts of ``VAGUE_AMOUNTS`` ("tens of thousands"); the words
just before a number qualify it ("over", "about", "almost"…).
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from number_parser import parse_number, parse_ordinal

from apps.claims.kinds import ClaimKind
from apps.claims.quantities import APPROXIMATION, VAGUE_AMOUNTS, QuantityQualifier, QuantityUnit, quantity_bounds

# A sentence ends at . ! or ? followed by space and a capital, quote or digit, or at a blank line.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*\n")
_DIGITS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s?%|\s+per\s?cent\b|\s+percent\b)?")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_FRACTIONS = {"half": 50.0, "third": 100 / 3, "quarter": 25.0}
# Counts of times: "twice a year".
_TIMES = {"once": 1.0, "twice": 2.0, "thrice": 3.0}
# "Russia and five other republics" counts six: the named one and the others.
_AND_OTHERS = re.compile(r"(\w[\w.-]*)\s+and\s+$")
_OTHER_AFTER = re.compile(r"\s+other\b")
# "One" counts only where a bound says so ("more than one state"); elsewhere it is a pronoun or an article.
_COUNTED_ONE = re.compile(r"\b(?:(?:more|less|fewer) than|at (?:least|most))\s+$")
# Calendar years are dates, not counts: they are left to the time fields.
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
}  # fmt: skip

# Words just before a number and what they make of it: the qualifier, and for "almost" the lower
# bound (as far below as "about" reaches), since "almost half" is less than half but not much less.
_QUALIFIERS: list[tuple[str, str, float | None]] = [
    ("more than", QuantityQualifier.MORE_THAN, None),
    ("over", QuantityQualifier.MORE_THAN, None),
    ("above", QuantityQualifier.MORE_THAN, None),
    ("at least", QuantityQualifier.AT_LEAST, None),
    ("approximately", QuantityQualifier.APPROXIMATELY, None),
    ("about", QuantityQualifier.APPROXIMATELY, None),
    ("around", QuantityQualifier.APPROXIMATELY, None),
    ("roughly", QuantityQualifier.APPROXIMATELY, None),
    ("some", QuantityQualifier.APPROXIMATELY, None),
    ("almost", QuantityQualifier.LESS_THAN, 1 - APPROXIMATION),
    ("nearly", QuantityQualifier.LESS_THAN, 1 - APPROXIMATION),
    ("less than", QuantityQualifier.LESS_THAN, None),
    ("fewer than", QuantityQualifier.LESS_THAN, None),
    ("under", QuantityQualifier.LESS_THAN, None),
    ("up to", QuantityQualifier.AT_MOST, None),
    ("at most", QuantityQualifier.AT_MOST, None),
]

# The word after a number, and the unit it names.
_UNIT_WORDS: dict[str, str] = {
    **dict.fromkeys(["troops", "soldiers", "paratroopers", "servicemen", "battalions", "fighters"], "soldiers"),
    **dict.fromkeys(["people", "persons", "civilians", "refugees", "residents", "citizens", "men"], "people"),
    **dict.fromkeys(["aircraft", "jets", "planes", "helicopters", "fighter"], "aircraft"),
    **dict.fromkeys(["ships", "vessels", "warships", "boats"], "ships"),
    **dict.fromkeys(["drones"], "drones"),
    **dict.fromkeys(["missiles", "rockets"], "missiles"),
    **dict.fromkeys(["years", "year"], "years"),
    **dict.fromkeys(["countries", "states", "nations", "country", "state", "nation"], "countries"),
}

# Words that make a sentence's kind clear; the first kind whose word appears wins.
_KIND_WORDS: list[tuple[str, tuple[str, ...]]] = [
    (ClaimKind.SANCTIONS, ("sanction",)),
    (ClaimKind.MILITARY_EXERCISE, ("exercise", "drill")),
    (ClaimKind.INTERVENTION, ("intervention", "intervene", "peacekeep")),
    (ClaimKind.CASUALTIES, ("killed", "dead", "casualt", "wounded")),
    (ClaimKind.DISPLACEMENT, ("refugee", "fled", "exodus", "displaced")),
    (ClaimKind.ARMS_TRANSFER, ("deliver", "weapons", "missiles", "drones", "arms")),
    (ClaimKind.TROOP_DEPLOYMENT, ("troops", "soldiers", "paratroopers", "battalion", "deploy")),
    (ClaimKind.MILITARY_BASE, (" base",)),
    (ClaimKind.RECOGNITION, ("recogni", "annex")),
    (ClaimKind.ENERGY_MEASURE, ("gas", "oil", "energy", "pipeline")),
    (ClaimKind.DIPLOMATIC_DEMAND, ("demand", "insist", "ultimatum")),
    (ClaimKind.ALLIANCE_POSITION, ("membership", "join nato", "alliance")),
    (ClaimKind.LEADERSHIP_CHANGE, ("resign", "dismiss", "appointed")),
    (ClaimKind.CYBER_OPERATION, ("cyber", "hack")),
    (ClaimKind.TERRITORIAL_CONTROL, ("territory", "control", "occup")),
]


@dataclass(frozen=True)
class Mention:
    """A country or actor named in the text: the name as written and what it stands for."""

    start: int
    end: int
    text: str
    country: str | None  # alpha-2
    actor: str | None  # slug


@dataclass
class CandidateQuantity:
    value: float | None
    lower: float | None
    upper: float | None
    qualifier: str
    unit: str
    text: str
    start: int
    end: int


@dataclass
class Candidate:
    start: int
    end: int
    text: str
    quantity: CandidateQuantity | None = None
    countries: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    kind: str | None = None
    subject: str | None = None
    location: str | None = None


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, without surrounding whitespace."""
    spans, start = [], 0
    for boundary in _SENTENCE_END.finditer(text):
        spans.append((start, boundary.start()))
        start = boundary.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        chunk = text[begin:end]
        begin += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if end > begin:
            trimmed.append((begin, end))
    return trimmed


def _qualifier_before(text: str, position: int) -> tuple[str, float | None, int]:
    """The qualifier that ends just before ``position``, its lower-bound factor and where it starts."""
    before = text[max(0, position - 20) : position].lower()
    for words, qualifier, lower_factor in _QUALIFIERS:
        found = re.search(rf"\b{words}\s+(?:the\s+|a\s+)?$", before)
        if found:
            return qualifier, lower_factor, position - (len(before) - found.start())
    return QuantityQualifier.EXACT, None, position


def _unit_after(text: str, position: int, *, percent: bool, ordinal: bool) -> str:
    if percent:
        return QuantityUnit.PERCENT
    if ordinal:
        return QuantityUnit.RANK
    for word in _WORD.findall(text[position : position + 40])[:3]:
        unit = _UNIT_WORDS.get(word.lower())
        if unit:
            return unit
    return QuantityUnit.OTHER


def _quantity(text: str, start: int, end: int, value: float | None, *, percent=False, ordinal=False, vague=None):
    qualifier, lower_factor, phrase_start = _qualifier_before(text, start)
    if vague is not None:
        lower, upper = vague
        qualifier = QuantityQualifier.RANGE
    else:
        lower, upper = quantity_bounds(value=value, qualifier=qualifier)
        if lower_factor is not None:
            lower = round(value * lower_factor, 6)
    unit = _unit_after(text, end, percent=percent, ordinal=ordinal)
    return CandidateQuantity(value, lower, upper, qualifier, unit, text[phrase_start:end], phrase_start, end)


def quantities_in(text: str, start: int, end: int, language: str = "en") -> list[CandidateQuantity]:
    """Every stated amount in ``text[start:end]``, in order; number words in ``language`` (BCP 47)."""
    found: list[CandidateQuantity] = []
    taken: list[tuple[int, int]] = []

    def free(begin: int, finish: int) -> bool:
        return all(finish <= a or begin >= b for a, b in taken)

    lowered = text.lower()
    for phrase in sorted(VAGUE_AMOUNTS, key=len, reverse=True):
        for match in re.finditer(rf"\b{phrase}\b", lowered[start:end]):
            begin, finish = start + match.start(), start + match.end()
            if free(begin, finish):
                taken.append((begin, finish))
                found.append(_quantity(text, begin, finish, None, vague=VAGUE_AMOUNTS[phrase]))
    for match in _DIGITS.finditer(text, start, end):
        digits = match.group(1)
        begin, finish = match.start(), match.end()
        if _YEAR.match(digits) and not match.group(2):
            continue
        following = _WORD.findall(text[finish : finish + 15])[:1]
        preceding = _WORD.findall(text[max(0, begin - 12) : begin])[-1:]
        if any(word.lower() in _MONTHS for word in following + preceding):
            continue  # a day of a month
        if free(begin, finish):
            taken.append((begin, finish))
            found.append(_quantity(text, begin, finish, float(digits.replace(",", "")), percent=bool(match.group(2))))
    words = list(_WORD.finditer(text, start, end))
    index = 0
    while index < len(words):
        word = words[index]
        lower_word = word.group().lower()
        if lower_word in _TIMES and free(word.start(), word.end()):
            taken.append((word.start(), word.end()))
            found.append(_quantity(text, word.start(), word.end(), _TIMES[lower_word]))
            index += 1
            continue
        if lower_word in _FRACTIONS and free(word.start(), word.end()):
            taken.append((word.start(), word.end()))
            found.append(_quantity(text, word.start(), word.end(), _FRACTIONS[lower_word], percent=True))
            index += 1
            continue
        ordinal = _ordinal(lower_word, language)
        if ordinal is not None and free(word.start(), word.end()):
            taken.append((word.start(), word.end()))
            found.append(_quantity(text, word.start(), word.end(), float(ordinal), ordinal=True))
            index += 1
            continue
        # The longest run of number words ("two thousand three hundred") that reads as one number.
        best = None
        if _number_word(lower_word, language):
            stop = index + 1
            while stop < len(words) and stop - index < 6 and _number_word(words[stop].group().lower(), language):
                stop += 1
            for last in range(stop, index, -1):
                number = _cardinal(text[word.start() : words[last - 1].end()], language)
                if number is not None:
                    best = (last, number)
                    break
            if (
                best is None
                and lower_word == "one"
                and _COUNTED_ONE.search(text[max(0, word.start() - 12) : word.start()].lower())
            ):
                best = (index + 1, 1)
        elif "-" in lower_word:
            # "A thirty-year conflict": the number before the hyphen counts what follows it.
            head = _hyphenated_count(lower_word, language)
            if head and free(word.start(), word.start() + head[1]):
                taken.append((word.start(), word.start() + head[1]))
                found.append(_quantity(text, word.start(), word.start() + head[1], float(head[0])))
                index += 1
                continue
        if best and free(word.start(), words[best[0] - 1].end()):
            stop, number = best
            finish = words[stop - 1].end()
            taken.append((word.start(), finish))
            found.append(_quantity(text, word.start(), finish, float(number)))
            index = stop
            continue
        index += 1
    for quantity in list(found):
        named = _AND_OTHERS.search(text, max(start, quantity.start - 40), quantity.start)
        if quantity.value is not None and named and _OTHER_AFTER.match(text, quantity.end):
            total = _quantity(text, quantity.start, quantity.end, quantity.value + 1)
            total.start, total.text = named.start(), text[named.start() : quantity.end]
            found.append(total)
    return sorted(found, key=lambda quantity: quantity.start)


# number-parser guesses the language of every phrase unless told, which costs twenty times the parse.
def _language(tag: str) -> str:
    return tag.split("-")[0].lower() or "en"


@lru_cache(maxsize=16384)
def _number_word(word: str, language: str) -> bool:
    return word == "and" or _parsed(parse_number, word, language) is not None


@lru_cache(maxsize=4096)
def _cardinal(phrase: str, language: str) -> int | None:
    # "a" and "one" alone are articles far more often than counts.
    if phrase.lower() in {"a", "an", "one"}:
        return None
    return _parsed(parse_number, phrase, language)


def _hyphenated_count(word: str, language: str) -> tuple[int, int] | None:
    """The number a hyphenated word starts with ("thirty-year", "twenty-five-year") and its length."""
    parts = word.split("-")
    for cut in range(len(parts) - 1, 0, -1):
        head = "-".join(parts[:cut])
        number = _cardinal(head, language)
        if number is not None:
            return number, len(head)
    return None


@lru_cache(maxsize=4096)
def _ordinal(word: str, language: str) -> int | None:
    return _parsed(parse_ordinal, word, language) if word.endswith(("st", "nd", "rd", "th")) else None


def _parsed(parser, text: str, language: str) -> int | None:
    try:
        return parser(text, language=_language(language))
    except ValueError:  # a language number-parser does not know: digits only
        return None


def _kind_for(sentence: str) -> str | None:
    lowered = f" {sentence.lower()}"
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return None


@dataclass
class Gazetteer:
    """The names to look for: countries (ISO names), actors (names and aliases) and their countries."""

    pattern: re.Pattern | None
    names: dict[str, tuple[str | None, str | None]]

    def mentions(self, text: str, start: int, end: int) -> list[Mention]:
        if self.pattern is None:
            return []
        found = []
        for match in self.pattern.finditer(text, start, end):
            country, actor = self.names[match.group().lower()]
            found.append(Mention(match.start(), match.end(), match.group(), country, actor))
        return found


def gazetteer_build(*, countries: list[tuple[str, list[str]]], actors: list[tuple[str, list[str], str | None]]):
    """``countries``: (alpha-2, names); ``actors``: (slug, names, alpha-2 of their country or None)."""
    names: dict[str, tuple[str | None, str | None]] = {}
    for code, country_names in countries:
        for name in country_names:
            if len(name) > 3:
                names.setdefault(name.lower(), (code, None))
    for slug, actor_names, code in actors:
        for name in actor_names:
            if len(name) > 2:
                names[name.lower()] = (code, slug)
    if not names:
        return Gazetteer(None, {})
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return Gazetteer(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE), names)


def candidates_propose(text: str, gazetteer: Gazetteer, *, language: str = "en") -> list[Candidate]:
    """The candidates of one text, in reading order: one per stated amount, or one per sentence
    that names a country or an actor but states no amount."""
    proposed: list[Candidate] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        mentions = gazetteer.mentions(text, start, end)
        countries = list(dict.fromkeys(m.country for m in mentions if m.country))
        actors = list(dict.fromkeys(m.actor for m in mentions if m.actor))
        subject = actors[0] if actors else None
        location = _location(text, mentions)
        amounts = quantities_in(text, start, end, language)
        for quantity in amounts or [None]:
            if quantity is None and not mentions:
                continue
            proposed.append(
                Candidate(
                    start=start,
                    end=end,
                    text=sentence,
                    quantity=quantity,
                    countries=countries,
                    actors=actors,
                    kind=_kind_for(sentence),
                    subject=subject,
                    location=location,
                )
            )
    return proposed


def _location(text: str, mentions: list[Mention]) -> str | None:
    """The country named right after "in", "to", "into" or "from", the usual place of an event."""
    for mention in mentions:
        before = text[max(0, mention.start - 6) : mention.start].lower()
        if mention.country and re.search(r"\b(in|to|into|near|inside)\s+$", before):
            return mention.country
    return None

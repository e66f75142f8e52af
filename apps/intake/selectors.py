"""What the candidate finder reads: the names it looks for, and what curators have already done."""

import pycountry

from apps.actors.models import Actor
from apps.claims.models import QuoteAnchor
from apps.countries.models import Country
from apps.intake.candidates import Candidate, Gazetteer, candidates_propose, gazetteer_build
from apps.intake.models import DismissedCandidate
from apps.sources.models import Source


def gazetteer_current() -> Gazetteer:
    countries = [
        (code, [name, getattr(pycountry.countries.get(alpha_2=code), "common_name", name)])
        for code, name in Country.objects.values_list("code", "name")
    ]
    actors = [
        (slug, [name, *(aliases or [])], country)
        for slug, name, aliases, country in Actor.objects.values_list("slug", "name", "aliases", "country_id")
    ]
    return gazetteer_build(countries=countries, actors=actors)


def candidate_key(candidate: Candidate) -> tuple[int, int, str]:
    return candidate.start, candidate.end, candidate.quantity.text if candidate.quantity else ""


def source_candidates(*, source: Source) -> list[tuple[Candidate, list[int]]]:
    """The source's candidates that nobody dismissed, each with the ids of claims whose quote overlaps it."""
    dismissed = set(DismissedCandidate.objects.filter(source=source).values_list("start", "end", "quantity_text"))
    anchors = list(QuoteAnchor.objects.filter(claim__source=source).values_list("claim_id", "start", "end"))
    proposed = []
    for candidate in candidates_propose(source.text, gazetteer_current(), language=source.language):
        if candidate_key(candidate) in dismissed:
            continue
        overlapping = [claim for claim, start, end in anchors if start < candidate.end and end > candidate.start]
        proposed.append((candidate, overlapping))
    return proposed

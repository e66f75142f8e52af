"""What each kind of reader may see of claims, and the queries that read claims whole.

The one home of the visibility rule: anonymous clients and users without the view
permission see published claims only, and of a relation only what joins two claims
they may see. The API, the admin, exports and feeds all read through these functions.
"""

import datetime
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db.models import F, FloatField, Q, QuerySet, Subquery
from django.db.models.functions import Cast, Extract

from apps.claims.models import (
    ChangeAction,
    Claim,
    ClaimChange,
    ClaimCountry,
    ClaimRelation,
    PublicState,
    QuoteAnchor,
    ReviewStatus,
)
from apps.claims.services import SEARCH_CONFIG
from apps.core.queries import among


def sees_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("claims.view_claim"))


def _published(path: str = "") -> Q:
    """Claims (those at ``path``, from another model) that everyone may see."""
    return Q(**{f"{path}review_status": ReviewStatus.PUBLISHED})


def visible_claims(user) -> QuerySet[Claim]:
    claims = Claim.objects.all()
    return claims if sees_drafts(user) else claims.filter(_published())


def visible_relations(user) -> QuerySet[ClaimRelation]:
    relations = ClaimRelation.objects.all()
    if sees_drafts(user):
        return relations
    return relations.filter(_published("from_claim__"), _published("to_claim__"))


# Which countries a claim involves is decided once, by the database function claims_refresh_derived,
# which writes them as ClaimCountry rows. A claim shows those rows as its countries and the country
# filter matches the same rows, so a claim lists a country exactly when filtering by it finds the claim.


def involved_country_links() -> QuerySet[ClaimCountry]:
    """The countries claims involve, each with its country, by name: what a claim shows as its countries."""
    return ClaimCountry.objects.select_related("country").order_by("country__name")


def claims_involving(claims: QuerySet[Claim], codes: list[str]) -> QuerySet[Claim]:
    """The ``claims`` that involve any of the countries with these alpha-2 codes."""
    if len(codes) == 1:
        # One country: join its links and let the pages walk their copy of the ordering
        # (claim_country_newest) rather than every claim's (see KeysetPagination).
        return claims.filter(country_links__country=codes[0]).annotate(
            keyset_reported_on=F("country_links__reported_on"), keyset_pk=F("country_links__claim_id")
        )
    return claims.filter(id__in=ClaimCountry.objects.filter(country__in=codes).values("claim_id"))


def claims_among(user, ids: list[int]) -> QuerySet[Claim]:
    """The claims with these ids that ``user`` may see."""
    return visible_claims(user).filter(among("id", ids))


def country_links_of(ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The countries each of these claims involves, as (alpha-2 code, name) pairs, by name (as shown)."""
    countries: dict[int, list[tuple[str, str]]] = {}
    links = involved_country_links().filter(among("claim_id", ids))
    for claim_id, code, name in links.values_list("claim_id", "country_id", "country__name"):
        countries.setdefault(claim_id, []).append((code, name))
    return countries


def anchors_of(ids: list[int]) -> dict[int, dict]:
    """The quote anchor of each of these claims that has one, as the API shows it."""
    rows = QuoteAnchor.objects.filter(among("claim_id", ids)).values(
        "claim_id", "exact", "start", "end", "prefix", "suffix"
    )
    return {row.pop("claim_id"): row for row in rows}


@dataclass(frozen=True)
class RelationRow:
    """A relation as one of its claims shows it: its direction from that claim, and the claim at the other end."""

    id: int
    type: str
    direction: str
    note: str
    claim_id: int
    claim_kind: str
    claim_summary: str
    claim_source: str


def relations_of(user, ids: list[int]) -> dict[int, list[RelationRow]]:
    """The relations of each of these claims whose other end ``user`` may see, in the order they were made."""
    wanted = set(ids)
    found: dict[int, list[RelationRow]] = {}
    ends = ("id", "kind", "summary", "source__slug")
    rows = (
        visible_relations(user)
        .filter(among("from_claim_id", ids) | among("to_claim_id", ids))
        .order_by("id")
        .values_list(
            "id", "type", "note", *(f"from_claim__{name}" for name in ends), *(f"to_claim__{name}" for name in ends)
        )
    )
    for id_, type_, note, *claims in rows:
        from_claim, to_claim = claims[:4], claims[4:]
        if from_claim[0] in wanted:
            found.setdefault(from_claim[0], []).append(RelationRow(id_, type_, "outgoing", note, *to_claim))
        if to_claim[0] in wanted:
            found.setdefault(to_claim[0], []).append(RelationRow(id_, type_, "incoming", note, *from_claim))
    return found


def claims_matching(queryset, words: str):
    """Claims whose summary, quote or source title match ``words`` (web-search syntax, English stemming),
    through the GIN index on the stored search vector."""
    if not words.strip():
        return queryset
    return queryset.filter(search_vector=SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG))


@dataclass(frozen=True)
class Change:
    seq: int
    claim_id: int
    action: str
    at: datetime.datetime
    type: str = "claim"


def claim_changes(user, *, since: int, limit: int) -> list[Change]:
    """The claims changed after position ``since`` of the change feed, as ``user`` may know of them, in commit
    order, each once, at its latest change.

    Whether a claim is ``created`` depends on ``since``: a reader at that position has never had it.
    Anonymous readers only learn of claims while they are published, and of the change that ends
    their publication (``withdrawn`` or ``deleted``); never of a draft.
    """
    if sees_drafts(user):
        rows = (
            ClaimChange.objects.filter(seq__gt=since)
            .order_by("seq")
            .values_list("seq", "claim_id", "first_seq", "deleted", "changed_at")[:limit]
        )
        return [
            Change(seq, claim_id, _action(deleted=deleted, new=first_seq > since), at)
            for seq, claim_id, first_seq, deleted, at in rows
        ]
    rows = (
        ClaimChange.objects.filter(public_seq__gt=since)
        .order_by("public_seq")
        .values_list("public_seq", "claim_id", "public_since_seq", "public_state", "public_changed_at")[:limit]
    )
    return [
        Change(
            seq,
            claim_id,
            ChangeAction.WITHDRAWN
            if state == PublicState.WITHDRAWN
            else _action(deleted=state == PublicState.DELETED, new=published_at > since),
            at,
        )
        for seq, claim_id, published_at, state, at in rows
    ]


def _action(*, deleted: bool, new: bool) -> str:
    if deleted:
        return ChangeAction.DELETED
    return ChangeAction.CREATED if new else ChangeAction.UPDATED


def _latest_changes(user) -> QuerySet[ClaimChange]:
    """The changes ``user`` may see in the feed, latest first, with their position as ``head_seq`` and when
    they were committed as ``head_at``."""
    if sees_drafts(user):
        return ClaimChange.objects.order_by("-seq").annotate(head_seq=F("seq"), head_at=F("changed_at"))
    return (
        ClaimChange.objects.filter(public_seq__isnull=False)
        .order_by("-public_seq")
        .annotate(head_seq=F("public_seq"), head_at=F("public_changed_at"))
    )


def changes_head(user) -> tuple[int, datetime.datetime | None]:
    """The position of the latest change ``user`` may see in the feed, and when it was committed (0 and None
    before any). A reader who has every claim as of now continues the feed from there."""
    return _latest_changes(user).values_list("head_seq", "head_at").first() or (0, None)


def changed_at_column(user) -> Cast:
    """When the latest change ``user`` may see was committed (``changes_head``'s time), as a column of seconds
    since the epoch: a page query reads it in the same round trip as its rows. A float, as every row repeats
    it, costs a fraction of a time zone-aware timestamp to load."""
    head_at = Subquery(_latest_changes(user).values("head_at")[:1])
    # In UTC whatever time zone is active: an epoch counted from a local wall clock would be off by its offset.
    return Cast(Extract(head_at, "epoch", tzinfo=datetime.UTC), FloatField())

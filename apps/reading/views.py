"""The reading room: published claims and sources as pages, on the API's own rules.

Each page is a DRF view rendered through a template, so it gets the API's
machinery unchanged: the claim list takes the API's FilterSet, ordering and keyset
pagination (a page URL and an API URL differ only in their prefix), bad parameters
become the API's error shape, rendered as a page, and who may see what comes from
``apps.claims.selectors``. Pages authenticate nobody: a curator signed in to the
admin reads exactly what everyone reads. Every page is answered from the shared response
cache until the data changes, as the API's anonymous reads are, except to a browser that
sends the admin's session cookie: the cache judges credentials by their presence alone.
"""

from django.core.cache import cache
from django.db.models import Count, F, Max, Q, Value
from django.db.models.functions import Greatest, Substr
from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response

from apps.claims.admin.source_reader import Highlight, text_segments
from apps.claims.api.filters import ClaimFilterSet
from apps.claims.api.views import ClaimViewSet
from apps.claims.kinds import STANCE_DESCRIPTIONS, ClaimKind
from apps.claims.models import ClaimCountry, QuoteAnchor, RelationType
from apps.claims.selectors import visible_claims, visible_relations
from apps.comparisons.api.views import ComparisonResponseMixin, ComparisonViewSet
from apps.comparisons.charts import charted_claims, comparison_chart
from apps.comparisons.models import KEY_RELATIONS, proposition_label
from apps.comparisons.selectors import (
    Agreement,
    Comparison,
    claim_proposition,
    comparisons_build,
    propositions_compared,
)
from apps.comparisons.verdicts import Verdict
from apps.core.api.caching import CachedReadsMixin
from apps.core.api.ordering import order_expressions
from apps.core.api.pagination import KeysetPagination
from apps.core.api.query_parameters import KnownQueryParametersMixin
from apps.core.data_version import data_version
from apps.reading.facets import claim_facets
from apps.reading.words import sentences_after, sentences_before
from apps.sources.models import Source

# Characters of source text read on either side of a quote; the page shows whole sentences of it.
CONTEXT_CHARACTERS = 600
CONTEXT_SENTENCES = 2
OVERVIEW_SECONDS = 300
LATEST_ON_HOME = 8
SOURCES_ON_HOME = 20


class PageRenderer(TemplateHTMLRenderer):
    # Errors (400 for a bad filter, 404, 503) get the site's error page, with the API's error body.
    exception_template_names = ["reading/error.html"]


class PageView(CachedReadsMixin, GenericAPIView):
    renderer_classes = [PageRenderer]
    authentication_classes = []
    permission_classes = [AllowAny]
    http_method_names = ["get", "head"]
    schema = None  # pages, not API operations: the OpenAPI document leaves them out

    def page(self, template: str, **context) -> Response:
        return Response(context, template_name=template)


def _api_url(name: str, *args, query: str = "") -> str:
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


def _published_claims():
    return visible_claims(None)


def _brief_claims(claims):
    """What a line of a claim list shows, without the source's text or the derived columns."""
    return claims.select_related("source").only(
        "id",
        "kind",
        "status",
        "stance",
        "summary",
        "reported_on",
        "quantity_text",
        "source__slug",
        "source__title",
        "source__publisher",
        "source__published_on",
    )


def _overview() -> dict:
    """The home page's figures: exact counts over every published claim, kept until the data changes."""
    claims = _published_claims()
    by_kind = claims.order_by().values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    by_country = (
        ClaimCountry.objects.filter(claim__in=claims)
        .values("country", "country__name")
        .annotate(n=Count("claim"))
        .order_by("-n", "country")[:12]
    )
    sources = (
        Source.objects.filter(claims__in=claims)
        .values("slug", "title", "publisher", "published_on")
        .annotate(claim_count=Count("claims"))
        .order_by(F("published_on").desc(nulls_last=True), "slug")[:SOURCES_ON_HOME]
    )
    return {
        "claim_count": claims.count(),
        "sources": list(sources),
        "source_count": Source.objects.filter(claims__in=claims).distinct().count(),
        "last_updated": claims.aggregate(last=Max("updated_at"))["last"],
        "by_kind": [(row["kind"], ClaimKind(row["kind"]).label, row["n"]) for row in by_kind],
        "by_country": [(row["country"], row["country__name"], row["n"]) for row in by_country],
    }


def _current_overview() -> dict:
    # Kept under the data version, so the figures are never older than the data; a transaction
    # that has written and not committed has no version yet, and counts afresh.
    version = data_version()
    if version is None:
        return _overview()
    return cache.get_or_set(f"reading:overview:{version}", _overview, OVERVIEW_SECONDS)


class HomePage(PageView):
    def get(self, request):
        claims = _published_claims()
        disputed = (
            visible_relations(None)
            .filter(type=RelationType.CONTRADICTS)
            .select_related("from_claim__source", "to_claim__source")
            .only(
                "id",
                "from_claim__id",
                "from_claim__summary",
                "from_claim__source__title",
                "to_claim__id",
                "to_claim__summary",
                "to_claim__source__title",
            )
            .order_by("-id")[:5]
        )
        return self.page(
            "reading/home.html",
            overview=_current_overview(),
            latest=_brief_claims(claims)[:LATEST_ON_HOME],
            disputed=disputed,
            disputed_url=f"{reverse('reading:comparison-list')}?disputed=true",
            contradicted_url=f"{reverse('reading:claim-list')}?related={RelationType.CONTRADICTS}",
            api_url=reverse("api-index"),
        )


# The list's own form fields; every other parameter of the request rides along hidden.
FORM_FIELDS = ("search", "kind", "country", "reported_from", "reported_to", "ordering")
ORDERINGS = [
    ("", "Newest source first"),
    ("reported_on", "Oldest source first"),
    ("-quantity", "Largest amount first"),
    ("valid_from", "Earliest valid time first"),
]
FACET_TITLES = {"kind": "Kind", "stance": "How the source puts it", "country": "Country", "source": "Source"}


class ClaimListPage(KnownQueryParametersMixin, PageView):
    filterset_class = ClaimFilterSet
    ordering = ClaimViewSet.ordering
    ordering_fields = ClaimViewSet.ordering_fields

    def reads_list(self) -> bool:
        return True

    def get(self, request):
        claims = self.filter_queryset(_published_claims())
        page = self.paginate_queryset(_brief_claims(claims))
        # Counted in the page's own order, on the copy of it the page walks (a country's links), so the
        # count stops with the sample rather than sorting every match.
        facets = claim_facets(claims.order_by(*order_expressions(self.paginator.terms)))
        return self.page(
            "reading/claim_list.html",
            claims=page,
            facets=facets,
            facet_groups=[
                (FACET_TITLES[name], _facet_links(values, request.GET)) for name, values in facets.groups.items()
            ],
            active=_active_filters(request.GET),
            hidden=_hidden_fields(request.GET, FORM_FIELDS),
            kinds=ClaimKind.choices,
            orderings=ORDERINGS,
            next_url=self.paginator.get_next_link(),
            previous_url=self.paginator.get_previous_link(),
            api_url=_api_url("api:claim-list", query=request.GET.urlencode()),
            csv_url=_api_url("api:claim-export", "csv", query=_export_query(request.GET)),
        )


def _hidden_fields(params, form_fields) -> list[tuple[str, str]]:
    """The request's other parameters, carried through a form's next submission; a new filter starts a new list."""
    return [
        (name, value) for name, values in params.lists() if name not in (*form_fields, "cursor") for value in values
    ]


def _without_cursor(params):
    query = params.copy()
    query.pop("cursor", None)
    return query


def _export_query(params) -> str:
    """The list's filters and ordering without its paging: the file holds every matching claim, not one page."""
    query = params.copy()
    for name in ("cursor", "page_size", "count"):
        query.pop(name, None)
    return query.urlencode()


def _facet_links(values, params) -> list[dict]:
    """Each facet value with the query that narrows the list to it.

    A value of a parameter the list is already filtered by is a count, not a link: another
    country than the one chosen counts the claims that involve both, and the API's filters
    take several countries as "any of", which would widen the list instead.
    """
    links = []
    for value in values:
        chosen = params.get(value.parameter)
        selected = chosen is not None and chosen.upper() == value.value.upper()
        query = _without_cursor(params)
        query[value.parameter] = value.value
        links.append(
            {
                "label": value.label,
                "count": value.count,
                "query": query.urlencode() if chosen is None or selected else None,
                "selected": selected,
            }
        )
    return links


def _active_filters(params) -> list[tuple[str, str, str]]:
    """(parameter, value, query without it) for each filter in the request, to remove it with one click."""
    active = []
    for name in params:
        if name not in ClaimFilterSet.base_filters:
            continue
        without = _without_cursor(params)
        without.pop(name)
        active.append((name, ", ".join(params.getlist(name)), without.urlencode()))
    return active


class ClaimPage(PageView):
    def get(self, request, pk: int):
        start, end = F("anchor__start"), F("anchor__end")
        context_start = Greatest(start - CONTEXT_CHARACTERS, Value(0))
        claim = get_object_or_404(
            _published_claims()
            .select_related("source", "subject", "object", "claimant", "location", "anchor")
            .defer("notes", "search_vector", "source__text", "source__metadata_notes")
            # Only the text around the quote leaves the database, not the whole document.
            .annotate(
                text_before=Substr("source__text", context_start + 1, start - context_start),
                text_after=Substr("source__text", end + 1, Value(CONTEXT_CHARACTERS)),
            ),
            pk=pk,
        )
        relations = (
            visible_relations(None)
            .filter(Q(from_claim=claim) | Q(to_claim=claim))
            .select_related("from_claim__source", "to_claim__source")
            .only(
                "id",
                "type",
                "note",
                "from_claim__id",
                "from_claim__summary",
                "from_claim__source__title",
                "from_claim__source__slug",
                "to_claim__id",
                "to_claim__summary",
                "to_claim__source__title",
                "to_claim__source__slug",
            )
            .order_by("type", "id")
        )
        anchor = _anchor(claim)
        return self.page(
            "reading/claim_detail.html",
            topic=_claim_topic(claim),
            claim=claim,
            anchor=anchor,
            before=sentences_before(claim.text_before, CONTEXT_SENTENCES) if anchor else "",
            after=sentences_after(claim.text_after, CONTEXT_SENTENCES) if anchor else "",
            stance_description=STANCE_DESCRIPTIONS[claim.stance],
            countries=list(claim.countries.all()),
            relations=[_relation_seen_from(relation, claim) for relation in relations],
            api_url=_api_url("api:claim-detail", claim.pk),
        )


def _anchor(claim) -> QuoteAnchor | None:
    try:
        return claim.anchor
    except QuoteAnchor.DoesNotExist:
        return None


RELATION_VERBS = {RelationType.SAME_EVENT: "describes the same event as"}


def _relation_seen_from(relation, claim) -> dict:
    outgoing = relation.from_claim_id == claim.pk
    return {
        "type": relation.type,
        "verb": RELATION_VERBS.get(relation.type, RelationType(relation.type).label.lower()),
        "outgoing": outgoing,
        "other": relation.to_claim if outgoing else relation.from_claim,
        "note": relation.note,
    }


class SourcePage(PageView):
    def get(self, request, slug: str):
        source = get_object_or_404(Source.objects.defer("metadata_notes"), slug=slug)
        claims = list(
            _published_claims()
            .filter(source=source, anchor__isnull=False)
            .select_related("anchor")
            .only("id", "kind", "status", "summary", "anchor__start", "anchor__end")
            .order_by("anchor__start", "id")
        )
        return self.page(
            "reading/source_detail.html",
            source=source,
            claims=claims,
            pieces=_highlighted_pieces(source.text, claims),
            api_url=_api_url("api:source-detail", source.slug),
            claims_url=f"{reverse('reading:claim-list')}?source={source.slug}&ordering=position",
        )


def _highlighted_pieces(text: str, claims) -> list[dict]:
    """The text cut at every quote's ends (as the curators' reader cuts it), each piece with the claim quoting it."""
    highlights = [
        Highlight(
            claim_id=claim.pk,
            start=claim.anchor.start,
            end=min(claim.anchor.end, len(text)),
            kind_label=claim.get_kind_display(),
            review_status="published",
            review_label="",
            summary=claim.summary,
        )
        for claim in claims
    ]
    pieces, started = [], set()
    for segment in text_segments(text, highlights):
        starts = [h.claim_id for h in segment.claims if h.start == segment.start and h.claim_id not in started]
        started.update(starts)
        pieces.append(
            {
                "text": text[segment.start : segment.end],
                "claim": segment.claims[0] if segment.covered else None,
                "starts": starts,
            }
        )
    return pieces


# A topic with more published claims than this is summarised, not drawn: hundreds of boxes on one
# chart read as noise, and comparing every pair of them costs far more than a page may.
TOPIC_CLAIMS_DRAWN = 60
# Verdicts a reader is shown pair by pair: where documents part ways.
DIFFERING_VERDICTS = (Verdict.DISAGREES, Verdict.CHANGED_OVER_TIME)


def _topic(comparison: Comparison) -> dict:
    """A comparison as a page shows it: its chart, its claims, and the pairs that differ."""
    proposition = comparison.proposition
    return {
        "id": proposition.pk,
        "label": proposition_label(proposition),
        "agreement": comparison.summary["agreement"],
        "agreement_label": Agreement(comparison.summary["agreement"]).label,
        "documents": comparison.summary["documents"],
        "claims": comparison.claims,
        "charted": len(charted_claims(comparison)),
        "chart": comparison_chart(
            comparison,
            claim_url=lambda claim: reverse("reading:claim-detail", args=[claim.pk]),
            chart_id=f"chart-{proposition.pk}",
        ),
        "differences": [
            {
                "claims": pair["claims"],
                "verdict": Verdict(pair["decided_verdict"]).label,
                "verdict_value": pair["decided_verdict"],
                "reason": "Judged so by a curator." if pair["decided_by"] == "curator" else pair["rule_description"],
            }
            for pair in comparison.pairs
            if pair["decided_verdict"] in DIFFERING_VERDICTS
        ],
    }


def _crowded_topic(proposition) -> dict:
    """A topic with too many claims to draw: what the proposition's own counts say, and where the rest is."""
    return {
        "id": proposition.pk,
        "label": proposition_label(proposition),
        "crowded": True,
        "claim_count": proposition.claim_count,
        "documents": proposition.document_count,
        # The proposition's flag says whether a pair disagrees; the rest of its verdict needs every pair.
        "agreement": Agreement.DISAGREE if proposition.disputed else "",
        "agreement_label": Agreement.DISAGREE.label if proposition.disputed else "",
        "api_url": reverse("api:comparison-detail", args=[proposition.pk]),
    }


def _topics(propositions, *, as_of=None) -> list[dict]:
    """The propositions as topics, in their order; only those small enough to draw are compared pair by pair."""
    drawn = [p for p in propositions if p.claim_count <= TOPIC_CLAIMS_DRAWN]
    built = {c.proposition.pk: c for c in comparisons_build(propositions=drawn, user=None, as_of=as_of)}
    return [_topic(built[p.pk]) if p.pk in built else _crowded_topic(p) for p in propositions]


def _claim_topic(claim) -> dict | None:
    """The comparison the claim belongs to, when claims of another document share it."""
    proposition = claim_proposition(None, claim.pk)
    # document_count counts the documents of its published claims, all a reader sees: below two there is
    # nothing to compare, and no pairs to compute.
    if proposition is None or proposition.document_count < 2:
        return None
    (topic,) = _topics([proposition])
    return topic if topic["documents"] > 1 else None


def _compared_propositions():
    return propositions_compared(None).select_related(*KEY_RELATIONS)


TOPIC_FORM_FIELDS = ("kind", "country", "disputed")


class TopicPagination(KeysetPagination):
    # Each topic carries a chart and its claims: fewer to a page than claims.
    page_size = 10
    max_page_size = 50


class ComparisonListPage(KnownQueryParametersMixin, ComparisonResponseMixin, PageView):
    filterset_class = ComparisonViewSet.filterset_class
    ordering = ComparisonViewSet.ordering
    ordering_fields = ComparisonViewSet.ordering_fields
    pagination_class = TopicPagination

    def reads_list(self) -> bool:
        return True

    def get(self, request):
        propositions = self.filter_queryset(_compared_propositions())
        page = self.paginate_queryset(propositions)
        disputed = request.GET.get("disputed")
        return self.page(
            "reading/comparison_list.html",
            topics=_topics(page, as_of=self.as_of(request)),
            disputed=disputed,
            kinds=ClaimKind.choices,
            hidden=_hidden_fields(request.GET, TOPIC_FORM_FIELDS),
            all_url=reverse("reading:comparison-list"),
            disputed_url=f"{reverse('reading:comparison-list')}?disputed=true",
            next_url=self.paginator.get_next_link(),
            previous_url=self.paginator.get_previous_link(),
            api_url=_api_url("api:comparison-list", query=request.GET.urlencode()),
        )


class ComparisonPage(ComparisonResponseMixin, PageView):
    def get(self, request, pk: int):
        proposition = get_object_or_404(_compared_propositions(), pk=pk)
        (topic,) = _topics([proposition], as_of=self.as_of(request))
        return self.page(
            "reading/comparison_detail.html",
            topic=topic,
            api_url=_api_url("api:comparison-detail", proposition.pk, query=request.GET.urlencode()),
        )

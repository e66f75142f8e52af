from functools import cached_property
from urllib.parse import urlencode

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from apps.actors.api.serializers import ActorBriefSerializer
from apps.actors.models import Actor
from apps.claims.api.representation import ClaimRenderer
from apps.claims.api.serializers import QuantitySerializer
from apps.claims.kinds import ClaimKind, ClaimStance, ClaimStatus, ClaimTrend
from apps.claims.models import Claim, RelationType, ReviewStatus
from apps.claims.quantities import QuantityUnit
from apps.comparisons.models import KEY_ACTORS, KEY_COUNTRIES, KEY_PARTS, Proposition, proposition_label
from apps.comparisons.selectors import Agreement
from apps.comparisons.verdicts import ComparisonRule, Verdict
from apps.core.api.fields import IdentityUrlField, OptionalChoiceField
from apps.core.api.urls import UrlPattern
from apps.core.dates import DatePrecision
from apps.countries.api.serializers import CountryBriefSerializer
from apps.sources.api.serializers import SourceBriefSerializer
from apps.sources.publication import AsOfRule


class PropositionSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:comparison-detail", lookup_sample="0")
    label = serializers.SerializerMethodField(help_text="The kind and the grouping key in words.")
    subject = ActorBriefSerializer(allow_null=True, help_text="The subject, when it is not a state or a person.")
    subject_country = CountryBriefSerializer(
        allow_null=True, help_text="The country a state or person subject stands for."
    )
    object = ActorBriefSerializer(allow_null=True)
    object_country = CountryBriefSerializer(allow_null=True)
    location = CountryBriefSerializer(allow_null=True)
    unit = OptionalChoiceField(choices=QuantityUnit.choices)
    curated = serializers.SerializerMethodField(help_text="Made by a curator (a split), not by the grouping rule.")

    class Meta:
        model = Proposition
        fields = [
            "id",
            "url",
            "label",
            "kind",
            *KEY_PARTS,
            "claim_count",
            "document_count",
            "disputed",
            "curated",
        ]

    def get_label(self, proposition) -> str:
        return proposition_label(proposition)

    def get_curated(self, proposition) -> bool:
        return proposition.key is None


def compared_claim_renderer(context: dict) -> ClaimRenderer:
    """The response's one renderer of compared claims and of the briefs comparisons show, kept in the root
    serializer's context: a list of comparisons reverses each route and renders each source and actor once."""
    renderer = context.get("compared_claim_renderer")
    if renderer is None:
        shown = frozenset(ComparedClaimSerializer.Meta.fields) - {"disputed"}
        renderer = ClaimRenderer.for_serializer_context({**context, "fields": shown})
        context["compared_claim_renderer"] = renderer
    return renderer


class ComparedClaimListSerializer(serializers.ListSerializer):
    """Compared claims, loaded with their sources and subjects, rendered by the claims' one renderer with the
    fields ``ComparedClaimSerializer`` declares (``disputed`` is the comparisons' own)."""

    def to_representation(self, data):
        return _compared_claims(data, compared_claim_renderer(self.context))


def _compared_claims(claims, renderer: ClaimRenderer) -> list[dict]:
    claims = list(claims)
    documents = renderer.render_loaded(claims)
    for document, claim in zip(documents, claims, strict=True):
        document["disputed"] = claim.disputed
    return documents


class ComparedClaimSerializer(serializers.ModelSerializer):
    """A claim in brief, with what comparisons look at: quantity, valid time, report date, source."""

    url = IdentityUrlField(view_name="api:claim-detail")
    kind = serializers.ChoiceField(choices=ClaimKind.choices)
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    stance = serializers.ChoiceField(choices=ClaimStance.choices)
    source = SourceBriefSerializer()
    subject = ActorBriefSerializer(allow_null=True)
    quantity = QuantitySerializer(source="*", allow_null=True)
    trend = OptionalChoiceField(
        choices=ClaimTrend.choices,
        help_text="Which way the source says the reported state is moving; null when it does not say.",
    )
    valid_from_precision = OptionalChoiceField(choices=DatePrecision.choices)
    valid_to_precision = OptionalChoiceField(choices=DatePrecision.choices)
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices)

    class Meta:
        model = Claim
        list_serializer_class = ComparedClaimListSerializer
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "stance",
            "summary",
            "source",
            "subject",
            "quantity",
            "trend",
            "valid_from",
            "valid_from_precision",
            "valid_to",
            "valid_to_precision",
            "reported_on",
            "review_status",
            "disputed",
        ]


class PairRelationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=RelationType.choices)
    from_claim = serializers.IntegerField()
    to_claim = serializers.IntegerField()
    note = serializers.CharField()


class PairSerializer(serializers.Serializer):
    claims = serializers.SerializerMethodField(help_text="The two claims' ids, older report first.")
    verdict = serializers.ChoiceField(choices=Verdict.choices, help_text="What the rules compute.")
    rule = serializers.ChoiceField(choices=ComparisonRule.choices, help_text="The rule that produced the verdict.")
    rule_description = serializers.CharField()
    curated_verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        allow_null=True,
        help_text="What the curated relations between the two say, if anything.",
    )
    relations = PairRelationSerializer(many=True, help_text="Curated relations between the two claims.")
    decided_verdict = serializers.ChoiceField(
        choices=Verdict.choices, help_text="The verdict that stands: the curated one when there is one."
    )
    decided_by = serializers.ChoiceField(choices=[("rule", "rule"), ("curator", "curator")])

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2))
    def get_claims(self, pair) -> list[int]:
        return [claim.pk for claim in pair["claims"]]


class FigureRangeSerializer(serializers.Serializer):
    lower = serializers.FloatField(allow_null=True, help_text="Null: unbounded below.")
    upper = serializers.FloatField(allow_null=True, help_text="Null: unbounded above.")
    unit = OptionalChoiceField(choices=QuantityUnit.choices)


class ComparisonSummarySerializer(serializers.Serializer):
    documents = serializers.IntegerField()
    reported_range = FigureRangeSerializer(
        allow_null=True, help_text="From the lowest to the highest value any claim allows; null without figures."
    )
    common_range = FigureRangeSerializer(
        allow_null=True, help_text="The values every figure allows; null when none fits them all (or no figures)."
    )
    agreement = serializers.ChoiceField(choices=Agreement.choices)


class AsOfSerializer(serializers.Serializer):
    date = serializers.DateField()
    rule = serializers.ChoiceField(choices=AsOfRule.choices)
    description = serializers.SerializerMethodField()

    def get_description(self, as_of) -> str:
        return AsOfRule(as_of.rule).label


class ComparisonSerializer(serializers.Serializer):
    proposition = PropositionSerializer()
    as_of = AsOfSerializer(allow_null=True, help_text="The as_of date and rule that selected the claims, if any.")
    claims = ComparedClaimSerializer(many=True)
    summary = ComparisonSummarySerializer()
    pairs = PairSerializer(
        many=True, help_text="Pairs of claims from different documents; many come a page at a time (`pairs_next`)."
    )
    pairs_count = serializers.IntegerField(help_text="How many pairs there are in all.")
    pairs_next = serializers.SerializerMethodField(help_text="The URL of the pairs that follow; null after the last.")
    pairs_previous = serializers.SerializerMethodField(
        help_text="The URL of the pairs that come before; null on the first."
    )

    def pairs_url(self, comparison, offset: int) -> str:
        """The comparison's own URL, with its as_of, for the pairs from ``offset`` on."""
        query = {"pairs_offset": offset}
        if comparison.as_of is not None:
            query = {"as_of": comparison.as_of.date.isoformat(), "as_of_rule": comparison.as_of.rule, **query}
        url = reverse("api:comparison-detail", args=[comparison.proposition.pk], request=self.context["request"])
        return f"{url}?{urlencode(query)}"

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pairs_next(self, comparison) -> str | None:
        following = comparison.pairs_offset + len(comparison.pairs)
        return self.pairs_url(comparison, following) if following < comparison.pairs_count else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pairs_previous(self, comparison) -> str | None:
        if not comparison.pairs_offset or comparison.pairs_limit is None:
            return None
        return self.pairs_url(comparison, max(0, comparison.pairs_offset - comparison.pairs_limit))

    def to_representation(self, comparison):
        # The declared fields, written directly: a comparison is many small nested objects, and DRF built and
        # deep-copied about forty fields of nine serializers for each response (the proposition's from its
        # model) before rendering a value, about a tenth of a claim's comparison. The claims and the briefs are the
        # claims' renderer's. tests/test_api_representation.py holds this to what DRF renders from the
        # declaration, for every comparison of the fixtures.
        renderer = compared_claim_renderer(self.context)
        summary, as_of = comparison.summary, comparison.as_of
        return {
            "proposition": _proposition(comparison.proposition, renderer, self._proposition_url),
            "as_of": None
            if as_of is None
            else {"date": as_of.date.isoformat(), "rule": as_of.rule, "description": AsOfRule(as_of.rule).label},
            "claims": _compared_claims(comparison.claims, renderer),
            # The summary and the pairs are built (comparisons_build) with the declared keys, in their order,
            # and plain values; only the agreement's member and the pairs' claims need writing out.
            "summary": {**summary, "agreement": str(summary["agreement"])},
            "pairs": [{**pair, "claims": [claim.pk for claim in pair["claims"]]} for pair in comparison.pairs],
            "pairs_count": comparison.pairs_count,
            "pairs_next": self.get_pairs_next(comparison),
            "pairs_previous": self.get_pairs_previous(comparison),
        }

    @cached_property
    def _proposition_url(self) -> UrlPattern:
        return UrlPattern("api:comparison-detail", "pk", self.context["request"], sample="0")


def _proposition(proposition: Proposition, renderer: ClaimRenderer, url: UrlPattern) -> dict:
    """As ``PropositionSerializer`` declares it."""
    document = {
        "id": proposition.pk,
        "url": url(proposition.pk),
        "label": proposition_label(proposition),
        "kind": proposition.kind,
    }
    for part in KEY_PARTS:
        if part in KEY_ACTORS:
            document[part] = renderer.brief_of_loaded(Actor, getattr(proposition, part))
        elif part in KEY_COUNTRIES:
            document[part] = renderer.country_brief(getattr(proposition, part))
        else:  # the unit, a choice stored as "" when absent
            document[part] = getattr(proposition, part) or None
    document.update(
        claim_count=proposition.claim_count,
        document_count=proposition.document_count,
        disputed=proposition.disputed,
        curated=proposition.key is None,
    )
    return document


class MoveSerializer(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all(), help_text="The claim to put here.")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why it belongs here.")


class SplitSerializer(serializers.Serializer):
    claims = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.all(), many=True, help_text="Claims to take out into a new proposition of their own."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why these claims are about something else."
    )


class MergeSerializer(serializers.Serializer):
    propositions = serializers.PrimaryKeyRelatedField(
        queryset=Proposition.objects.all(), many=True, help_text="Propositions whose claims move into this one."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why the propositions are about the same thing."
    )


class ReleaseSerializer(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.all(), help_text="A claim a curator placed, to give back to the grouping rule."
    )

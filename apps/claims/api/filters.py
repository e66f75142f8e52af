import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter

from apps.actors.models import Actor
from apps.claims.kinds import ClaimKind, ClaimStance, ClaimStatus, ClaimTrend
from apps.claims.models import Claim, ClaimRelation, RelationType, ReviewStatus
from apps.claims.quantities import QuantityUnit
from apps.claims.selectors import claims_involving, claims_matching, visible_relations
from apps.core.api.filtering import (
    CountryCodeFilter,
    MultipleValueChoiceFilter,
    RequestedFilterSet,
    SlugMultipleFilter,
    UpdatedSinceFilter,
    any_of,
)
from apps.sources.models import Source
from apps.sources.publication import DEFAULT_AS_OF_RULE, AsOfRule, sources_published_by

MULTI = " Several values: comma-separated or repeated."
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
AS_OF_HELP = (
    "Only what had been reported by this date (YYYY-MM-DD): claims whose source counts as published on or "
    "before it. A source dated only to a month or year counts from the last day of its period unless "
    "as_of_rule=period_start; undated sources never count. The response's As-Of header names the rule applied."
)
AS_OF_RESPONSE_HEADER = OpenApiParameter(
    "As-Of",
    str,
    OpenApiParameter.HEADER,
    response=True,
    description="Present when as_of was given: the date and the rule that counted the sources, "
    "e.g. '2022-01-10; rule=period_end'.",
)
AS_OF_RULE_HELP = (
    "How as_of counts a source dated only to a month or year: period_end (default; what had certainly been "
    "published) or period_start (what may have been published)."
)


class ClaimFilterSet(RequestedFilterSet):
    kind = MultipleValueChoiceFilter(choices=ClaimKind.choices, help_text="Claim kind(s), see /claim-kinds/." + MULTI)
    status = MultipleValueChoiceFilter(
        choices=ClaimStatus.choices, help_text="Status: the kind of act or state reported." + MULTI
    )
    stance = MultipleValueChoiceFilter(
        choices=ClaimStance.choices,
        help_text="How the source puts it, see /claim-stances/ (stated, attributed, assessment…)." + MULTI,
    )
    trend = MultipleValueChoiceFilter(
        choices=ClaimTrend.choices,
        help_text="Claims whose source says the reported state is growing or shrinking." + MULTI,
    )
    review_status = MultipleValueChoiceFilter(
        choices=ReviewStatus.choices,
        help_text="Review status; anonymous clients only ever see published claims." + MULTI,
    )
    subject = SlugMultipleFilter(queryset=Actor.objects.all(), help_text="Subject actor slug(s)." + MULTI)
    object = SlugMultipleFilter(queryset=Actor.objects.all(), help_text="Object (target) actor slug(s)." + MULTI)
    claimant = SlugMultipleFilter(queryset=Actor.objects.all(), help_text="Claimant actor slug(s)." + MULTI)
    actor = SlugMultipleFilter(
        queryset=Actor.objects.all(), method="filter_actor", help_text="Actor slug(s) in any role." + MULTI
    )
    country = CountryCodeFilter(
        method="filter_country",
        help_text="ISO 3166-1 alpha-2 code(s), any case, in any role: subject's or object's country, "
        "location, involved countries." + MULTI,
    )
    location = CountryCodeFilter(field_name="location", help_text="Location alpha-2 code(s), any case." + MULTI)
    source = SlugMultipleFilter(queryset=Source.objects.only("id", "slug"), help_text="Source slug(s)." + MULTI)
    publisher = django_filters.CharFilter(
        field_name="source__publisher", lookup_expr="iexact", help_text="The source's publisher, exact but any case."
    )
    valid_from = django_filters.DateFilter(
        method="filter_valid_from",
        help_text="Claims whose valid time overlaps the period starting on this date (YYYY-MM-DD).",
    )
    valid_to = django_filters.DateFilter(
        method="filter_valid_to",
        help_text="Claims whose valid time overlaps the period ending on this date (YYYY-MM-DD).",
    )
    reported_from = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="gte", help_text="Source published on or after this date (YYYY-MM-DD)."
    )
    reported_to = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="lte", help_text="Source published on or before this date (YYYY-MM-DD)."
    )
    quantity_min = django_filters.NumberFilter(
        method="filter_quantity_min",
        help_text="Claims whose quantity can be at least this (upper bound ≥ value, or unbounded).",
    )
    quantity_max = django_filters.NumberFilter(
        method="filter_quantity_max",
        help_text="Claims whose quantity can be at most this (lower bound ≤ value, or unbounded).",
    )
    unit = MultipleValueChoiceFilter(
        field_name="quantity_unit", choices=QuantityUnit.choices, help_text="Quantity unit(s)." + MULTI
    )
    related = MultipleValueChoiceFilter(
        choices=RelationType.choices,
        method="filter_related",
        help_text="Claims with at least one relation of this type, in either direction." + MULTI,
    )
    disputed = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_disputed",
        help_text="true: claims that a published claim of another document disagrees with (a curated "
        "contradiction, or a computed disagreement no curated relation overrules); false: the others.",
    )
    updated_since = UpdatedSinceFilter(
        help_text="Claims whose representation changed at or after this RFC 3339 timestamp (e.g. "
        "2022-01-24T09:30:00Z): their own fields, or what they show of their source, actors, countries, quote "
        "and relations. With ordering=updated_at, pages follow the order of change, so a claim changed while "
        "a client pages comes again later rather than being missed. Deletions and withdrawals are not claims "
        "any more: follow /api/v1/changes/ for them.",
    )
    as_of = django_filters.DateFilter(method="filter_as_of", help_text=AS_OF_HELP)
    as_of_rule = django_filters.ChoiceFilter(
        choices=AsOfRule.choices, method="filter_nothing", help_text=AS_OF_RULE_HELP
    )
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Full-text search over summary, quote and source title (English stemming; "
        'supports "quoted phrases", OR and -exclusion).',
    )

    class Meta:
        model = Claim
        fields = []

    def filter_actor(self, queryset, name, actors):
        if not actors:
            return queryset
        return queryset.filter(any_of("subject", "object", "claimant", values=actors))

    def filter_country(self, queryset, name, codes):
        return claims_involving(queryset, codes) if codes else queryset

    def filter_valid_from(self, queryset, name, value):
        has_time = Q(valid_from__isnull=False) | Q(valid_to__isnull=False)
        return queryset.filter(has_time & (Q(valid_to__isnull=True) | Q(valid_to__gte=value)))

    def filter_valid_to(self, queryset, name, value):
        has_time = Q(valid_from__isnull=False) | Q(valid_to__isnull=False)
        return queryset.filter(has_time & (Q(valid_from__isnull=True) | Q(valid_from__lte=value)))

    def filter_quantity_min(self, queryset, name, value):
        return queryset.filter(
            Q(quantity_upper__gte=value) | Q(quantity_upper__isnull=True, quantity_lower__isnull=False)
        )

    def filter_quantity_max(self, queryset, name, value):
        return queryset.filter(
            Q(quantity_lower__lte=value) | Q(quantity_lower__isnull=True, quantity_upper__isnull=False)
        )

    def filter_related(self, queryset, name, types):
        if not types:
            return queryset
        relations = visible_relations(self.request.user if self.request else None).filter(type__in=types)
        return queryset.filter(Q(id__in=relations.values("from_claim_id")) | Q(id__in=relations.values("to_claim_id")))

    def filter_disputed(self, queryset, name, value):
        return queryset.filter(disputed=value == "true")

    def chosen_as_of_rule(self) -> str:
        return self.form.cleaned_data.get("as_of_rule") or DEFAULT_AS_OF_RULE

    def filter_as_of(self, queryset, name, value):
        # The reported_on bound is implied by the source's; it lets newest-first pages start at the date.
        sources = sources_published_by(as_of=value, rule=self.chosen_as_of_rule())
        return queryset.filter(reported_on__lte=value, source__in=sources.values("id"))

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        return claims_matching(queryset, value)


class ClaimRelationFilterSet(RequestedFilterSet):
    type = MultipleValueChoiceFilter(choices=RelationType.choices, help_text="Relation type(s)." + MULTI)
    claim = django_filters.NumberFilter(method="filter_claim", help_text="Relations of this claim id, either end.")
    updated_since = UpdatedSinceFilter(
        method="filter_updated_since",
        help_text="Relations changed at or after this RFC 3339 timestamp (e.g. 2022-01-24T09:30:00Z), or whose "
        "claims did (a relation shows their kind, summary and source). With ordering=updated_at, pages follow "
        "the order of the relations' own changes. A deleted relation is not listed any more; both its claims "
        "are, by /claims/?updated_since, as their relations changed.",
    )

    class Meta:
        model = ClaimRelation
        fields = ["type", "claim", "updated_since"]

    def filter_claim(self, queryset, name, value):
        return queryset.filter(Q(from_claim_id=value) | Q(to_claim_id=value))

    def filter_updated_since(self, queryset, name, value):
        # A relation shows each claim's kind, summary and source: the claims' updated_at moves with those.
        return queryset.filter(
            Q(updated_at__gte=value) | Q(from_claim__updated_at__gte=value) | Q(to_claim__updated_at__gte=value)
        )

import django_filters

from apps.actors.models import Actor
from apps.claims.api.filters import AS_OF_HELP, AS_OF_RULE_HELP, BOOLEAN_CHOICES, MULTI
from apps.claims.kinds import ClaimKind
from apps.claims.selectors import visible_claims
from apps.comparisons.models import Membership, Proposition
from apps.comparisons.selectors import AsOf, propositions_compared
from apps.core.api.filtering import (
    CountryCodeFilter,
    MultipleValueChoiceFilter,
    RequestedFilterSet,
    SlugMultipleFilter,
    any_of,
)
from apps.sources.publication import DEFAULT_AS_OF_RULE, AsOfRule


class ComparisonFilterSet(RequestedFilterSet):
    kind = MultipleValueChoiceFilter(choices=ClaimKind.choices, help_text="Claim kind(s)." + MULTI)
    country = CountryCodeFilter(
        method="filter_country",
        help_text="Alpha-2 code(s): propositions with a claim involving it in any role." + MULTI,
    )
    actor = SlugMultipleFilter(
        queryset=Actor.objects.all(),
        method="filter_actor",
        help_text="Actor slug(s): with a claim naming it in any role." + MULTI,
    )
    disputed = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_disputed",
        help_text="true: two published claims of different documents disagree (computed or curated); false: none do.",
    )
    as_of = django_filters.DateFilter(
        method="filter_as_of",
        help_text="Only propositions with claims of two or more documents reported by this date (YYYY-MM-DD). "
        + AS_OF_HELP.split(". ", 1)[1],
    )
    as_of_rule = django_filters.ChoiceFilter(
        choices=AsOfRule.choices, method="filter_nothing", help_text=AS_OF_RULE_HELP
    )

    class Meta:
        model = Proposition
        fields = []

    def _with_claims(self, queryset, claims):
        members = Membership.objects.filter(claim__in=claims)
        return queryset.filter(id__in=members.values("proposition_id"))

    def filter_country(self, queryset, name, codes):
        if not codes:
            return queryset
        claims = visible_claims(self.request.user).filter(country_links__country__in=codes)
        return self._with_claims(queryset, claims)

    def filter_actor(self, queryset, name, actors):
        if not actors:
            return queryset
        claims = visible_claims(self.request.user).filter(any_of("subject", "object", "claimant", values=actors))
        return self._with_claims(queryset, claims)

    def filter_disputed(self, queryset, name, value):
        return queryset.filter(disputed=value == "true")

    def filter_as_of(self, queryset, name, value):
        as_of = AsOf(date=value, rule=self.form.cleaned_data.get("as_of_rule") or DEFAULT_AS_OF_RULE)
        return queryset.filter(id__in=propositions_compared(self.request.user, as_of=as_of).values("id"))

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_as_of

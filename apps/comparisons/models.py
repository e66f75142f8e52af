from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.actors.models import Actor
from apps.claims.kinds import ClaimKind
from apps.claims.models import Claim
from apps.claims.quantities import QuantityUnit
from apps.countries.models import Country


class Proposition(models.Model):
    """What claims of several documents speak about, e.g. "Russian soldiers deployed, no location given".

    Claims are grouped by the rule in apps/comparisons/grouping.py; curators may move claims
    in and out, merge and split. The counts and ``disputed`` are derived from the published
    members and refreshed by apps.comparisons.services whenever a member or a relation changes.
    """

    # The grouping key of a computed proposition; null for one a curator made by splitting.
    key = models.TextField(unique=True, null=True, blank=True, editable=False)
    kind = models.CharField(max_length=32, choices=ClaimKind.choices)
    # The grouping key's parts. A state or a person is grouped under its country (subject_country);
    # any other actor under itself (subject).
    subject = models.ForeignKey(Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject_country = models.ForeignKey(Country, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object = models.ForeignKey(Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_country = models.ForeignKey(Country, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    location = models.ForeignKey(Country, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit = models.CharField(max_length=16, choices=QuantityUnit.choices, blank=True)

    claim_count = models.PositiveIntegerField(default=0, editable=False, help_text="Published claims in it.")
    document_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Documents its published claims come from."
    )
    disputed = models.BooleanField(
        default=False, editable=False, help_text="Two of its published claims, of different documents, disagree."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["claim_count", "document_count", "disputed", "updated_at"])

    class Meta:
        ordering = ["-disputed", "id"]
        indexes = [
            # The comparisons list: propositions of two or more documents, disputed first.
            models.Index(
                models.F("disputed").desc(), "id", name="proposition_compared", condition=Q(document_count__gte=2)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


# The grouping key's parts: besides its kind, what a proposition is about.
KEY_PARTS = ("subject", "subject_country", "object", "object_country", "location", "unit")
# The rows a proposition's label names: select_related them to label many propositions without a query each.
KEY_RELATIONS = tuple(part for part in KEY_PARTS if Proposition._meta.get_field(part).is_relation)
# Of those, the countries and the actors.
KEY_COUNTRIES = tuple(part for part in KEY_RELATIONS if Proposition._meta.get_field(part).remote_field.model is Country)
KEY_ACTORS = tuple(part for part in KEY_RELATIONS if part not in KEY_COUNTRIES)


def proposition_label(proposition: Proposition) -> str:
    """'Troop deployment · RU · soldiers': the kind and whatever the grouping key names."""

    def party(actor, country):
        return country.name if country else (actor.name if actor else None)

    parts = [
        party(proposition.subject, proposition.subject_country),
        f"→ {target}" if (target := party(proposition.object, proposition.object_country)) else None,
        f"in {proposition.location.name}" if proposition.location else None,
        proposition.get_unit_display().lower() if proposition.unit else None,
    ]
    return " · ".join([proposition.get_kind_display(), *filter(None, parts)])


class Membership(models.Model):
    """Which proposition a claim belongs to. ``pinned`` memberships were set by a curator and survive recomputation."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="membership")
    # membership_proposition (proposition, claim) serves what an index of the key alone would.
    proposition = models.ForeignKey(Proposition, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    pinned = models.BooleanField(default=False, help_text="Placed by a curator; the grouping rule leaves it alone.")
    note = models.TextField(blank=True, help_text="Why a curator placed it here.")

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["proposition", "claim"], name="membership_proposition")]

    def __str__(self) -> str:
        return f"claim #{self.claim_id} in proposition #{self.proposition_id}"

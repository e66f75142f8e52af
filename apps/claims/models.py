from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least, Length
from simple_history.models import HistoricalRecords

from apps.actors.models import Actor
from apps.claims.kinds import ClaimKind, ClaimStance, ClaimStatus, ClaimTrend
from apps.claims.quantities import QuantityQualifier, QuantityUnit, quantity_given
from apps.core.dates import DatePrecision
from apps.countries.models import Country
from apps.sources.models import Source


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class Confidence(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Claim(models.Model):
    """One assertion made in one source, typed by kind, with its roles, amount and time."""

    # Foreign keys get no index of their own: the named indexes in Meta serve their lookups
    # (each one leads with the key), and every index costs every write.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims", db_index=False)
    key = models.SlugField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Stable natural key for curated claims (fixtures); optional.",
    )
    kind = models.CharField(max_length=32, choices=ClaimKind.choices)
    status = models.CharField(
        max_length=16, choices=ClaimStatus.choices, help_text="The kind of act or state the claim reports."
    )
    stance = models.CharField(
        max_length=16,
        choices=ClaimStance.choices,
        default=ClaimStance.STATED,
        help_text="How the source puts it: as fact, on someone's word, as its own judgement, "
        "as a forecast, hedged or doubted.",
    )
    trend = models.CharField(
        max_length=16,
        choices=ClaimTrend.choices,
        blank=True,
        default="",
        db_default="",
        help_text="Which way the source says the reported state is moving (growing or shrinking); "
        "empty when it does not say.",
    )
    summary = models.TextField(help_text="One neutral sentence saying what is claimed.")

    subject = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_as_subject",
        db_index=False,
        help_text="The actor the claim is about, or who acts.",
    )
    object = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_as_object",
        db_index=False,
        help_text="The actor acted upon or addressed (a sanctions target, an alliance joined…).",
    )
    claimant = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_as_claimant",
        db_index=False,
        help_text="Who asserts it, when that is not the source's own voice.",
    )
    location = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_located",
        db_index=False,
        help_text="The country where it happens.",
    )
    countries = models.ManyToManyField(
        Country, blank=True, related_name="claims_involving", help_text="Every country the claim involves."
    )

    quantity_value = models.FloatField(null=True, blank=True, help_text="The figure as stated.")
    quantity_lower = models.FloatField(null=True, blank=True, help_text="Lower bound; empty means unbounded.")
    quantity_upper = models.FloatField(null=True, blank=True, help_text="Upper bound; empty means unbounded.")
    quantity_qualifier = models.CharField(max_length=16, choices=QuantityQualifier.choices, blank=True)
    quantity_unit = models.CharField(max_length=16, choices=QuantityUnit.choices, blank=True)
    quantity_text = models.CharField(max_length=200, blank=True, help_text="The raw wording, e.g. 'over 100,000'.")

    valid_from = models.DateField(null=True, blank=True, help_text="First day of the period; empty means open.")
    valid_from_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text="Last day of the period; empty means open.")
    valid_to_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)

    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    confidence = models.CharField(max_length=8, choices=Confidence.choices, default=Confidence.MEDIUM)
    notes = models.TextField(blank=True, help_text="Curator notes; never shown to anonymous users.")
    # Who last changed what the claim says (not its review status or notes): that person may
    # not also review, publish or reject it. Maintained by apps.claims.services; empty for
    # claims written by operators' commands (fixtures, imports).
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )

    # Derived by the database function claims_refresh_derived (migration 0010), which the
    # services call on every claim write and triggers call when the source changes: the
    # source's publication date (so "newest source first" is one index scan) and the
    # full-text vector over summary, quote and source title.
    reported_on = models.DateField(null=True, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Derived by apps.comparisons (its services are the only writer): whether another
    # document's published claim disagrees with this one (see apps/comparisons/verdicts.py).
    disputed = models.BooleanField(default=False, db_default=False, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed what, when. The derived columns are rebuilt by the database and left out.
    history = HistoricalRecords(excluded_fields=["reported_on", "search_vector", "disputed"], m2m_fields=["countries"])

    class Meta:
        ordering = [F("reported_on").desc(nulls_last=True), "-id"]
        permissions = [("review_claim", "Can mark claims reviewed, published or rejected")]
        # The newest-first indexes carry the review status, so that a page of published
        # claims is read from the index alone, without visiting the table.
        indexes = [
            models.Index(
                F("reported_on").desc(nulls_last=True), F("id").desc(), name="claim_newest", include=["review_status"]
            ),
            models.Index(
                "kind",
                F("reported_on").desc(nulls_last=True),
                F("id").desc(),
                name="claim_kind_newest",
                include=["review_status"],
            ),
            models.Index(
                "location",
                "kind",
                F("reported_on").desc(nulls_last=True),
                F("id").desc(),
                name="claim_location_kind_newest",
                include=["review_status"],
            ),
            # The disputed few, newest first: a disputed=true page reads them alone.
            models.Index(
                F("reported_on").desc(nulls_last=True),
                F("id").desc(),
                name="claim_disputed_newest",
                include=["review_status"],
                condition=Q(disputed=True),
            ),
            models.Index(fields=["source", "id"], name="claim_source"),
            models.Index(fields=["subject"], name="claim_subject"),
            models.Index(fields=["object"], name="claim_object"),
            models.Index(fields=["claimant"], name="claim_claimant"),
            models.Index(fields=["review_status"], name="claim_review_status"),
            models.Index(fields=["status"], name="claim_status"),
            models.Index(fields=["stance"], name="claim_stance"),
            models.Index(fields=["quantity_unit", "quantity_lower", "quantity_upper"], name="claim_quantity"),
            models.Index(fields=["valid_from", "valid_to"], name="claim_valid_time"),
            # updated_since, and pages ordered by updated_at (how a mirror catches up).
            models.Index(fields=["updated_at", "id"], name="claim_updated", include=["review_status"]),
            GinIndex(fields=["search_vector"], name="claim_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_lower__isnull=True)
                | Q(quantity_upper__isnull=True)
                | Q(quantity_lower__lte=F("quantity_upper")),
                name="claim_quantity_bounds_ordered",
                violation_error_message="The lower bound must not exceed the upper bound.",
            ),
            models.CheckConstraint(
                condition=Q(quantity_value__isnull=True)
                | (
                    (Q(quantity_lower__isnull=True) | Q(quantity_lower__lte=F("quantity_value")))
                    & (Q(quantity_upper__isnull=True) | Q(quantity_upper__gte=F("quantity_value")))
                ),
                name="claim_quantity_value_within_bounds",
                violation_error_message="The value must lie between the bounds.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(quantity_value__isnull=True) & Q(quantity_lower__isnull=True) & Q(quantity_upper__isnull=True)
                )
                | ~Q(quantity_unit=""),
                name="claim_quantity_has_unit",
                violation_error_message="A quantity needs a unit.",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")),
                name="claim_valid_time_ordered",
                violation_error_message="The valid time must not end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True, valid_from_precision="")
                | (Q(valid_from__isnull=False) & ~Q(valid_from_precision="")),
                name="claim_valid_from_precision",
                violation_error_message="A start date needs a precision, and a precision needs a date.",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True, valid_to_precision="")
                | (Q(valid_to__isnull=False) & ~Q(valid_to_precision="")),
                name="claim_valid_to_precision",
                violation_error_message="An end date needs a precision, and a precision needs a date.",
            ),
        ]

    def __str__(self) -> str:
        return self.summary[:80]

    @property
    def involved_countries(self) -> list[Country]:
        """Every country the claim touches in any role: the same set ``?country=`` matches (ClaimCountry)."""
        return [link.country for link in self.country_links.all()]

    @property
    def has_quantity(self) -> bool:
        return quantity_given(self.quantity_value, self.quantity_lower, self.quantity_upper)

    def clean(self) -> None:
        from apps.claims.validation import claim_validate

        claim_validate(self)


class QuoteAnchor(models.Model):
    """The verbatim passage behind a claim (W3C TextQuoteSelector + TextPositionSelector).

    ``start``/``end`` are character offsets into the source's stored text; a
    database trigger rejects an anchor whose text is not exactly there.
    """

    CONTEXT_LENGTH = 32

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="anchor")
    exact = models.TextField(help_text="The passage, character for character.")
    start = models.PositiveIntegerField(help_text="Offset of the first character in the stored text.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")
    prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="anchor_offsets_ordered",
                violation_error_message="The end offset must be after the start offset.",
            ),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("exact")),
                name="anchor_offsets_match_length",
                violation_error_message="The offsets must span exactly the quoted text.",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.start}:{self.end}] {self.exact[:60]}"


class RelationType(models.TextChoices):
    CORROBORATES = "corroborates", "Corroborates"
    CONTRADICTS = "contradicts", "Contradicts"
    SUPERSEDES = "supersedes", "Supersedes"
    SAME_EVENT = "same_event", "Same event"
    # The same thing reported with different values for different times (or a later figure for
    # a state said to be growing): a change, not a disagreement.
    CHANGED_OVER_TIME = "changed_over_time", "Changed over time"


class ClaimRelation(models.Model):
    """A curated, typed link between two claims. At most one per pair and type, in either direction."""

    from_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_from")
    to_claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_to")
    type = models.CharField(max_length=32, choices=RelationType.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["to_claim", "type"], name="relation_to_claim"),
            # updated_since, and pages ordered by updated_at (how a mirror catches up).
            models.Index(fields=["updated_at", "id"], name="relation_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_claim=F("to_claim")),
                name="relation_not_to_itself",
                violation_error_message="A claim cannot be related to itself.",
            ),
            models.UniqueConstraint(
                Least("from_claim", "to_claim"),
                Greatest("from_claim", "to_claim"),
                "type",
                name="relation_unique_per_pair",
                violation_error_message="These two claims are already related this way.",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.from_claim_id} {self.type} #{self.to_claim_id}"


class ClaimCountry(models.Model):
    """Derived: every country a claim touches in any role, for "everything about X" queries.

    Rebuilt by the database function claims_refresh_derived whenever a claim, or the
    country of one of its actors, changes.
    """

    # Served by claim_country_claim and, for the country, by the unique (country, claim) index.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="country_links", db_index=False)
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The claim's own reported_on, copied so that "a country's claims, newest first" walks
    # one range of claim_country_newest, page after page, instead of the claims' newest-first
    # index filtered against the country's claims.
    reported_on = models.DateField(null=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "claim"], name="claim_country_unique")]
        indexes = [
            models.Index(fields=["claim"], name="claim_country_claim"),
            models.Index(
                "country", F("reported_on").desc(nulls_last=True), F("claim").desc(), name="claim_country_newest"
            ),
        ]


class PublicState(models.TextChoices):
    """What anonymous readers last saw happen to a claim; empty while they have never seen it."""

    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DELETED = "deleted", "Deleted"


class ChangeAction(models.TextChoices):
    """What a change feed entry tells a reader to do with its copy of the claim."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ClaimChange(models.Model):
    """The change feed's entry for one claim: its latest change, kept as a tombstone once it is deleted.

    Written by the database alone (migration 0013), while the transaction that changed the claim
    commits, so that sequence numbers follow the order of commits: a reader never sees a number
    while a smaller one may still appear. One entry per claim: a reader catching up gets each
    claim once, at its latest change. The ``public_`` columns are what anonymous readers may
    know: they move only while the claim is published, and when it stops being published.
    """

    claim_id = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(unique=True, help_text="Position of the claim's latest change in the feed.")
    first_seq = models.BigIntegerField(help_text="Position of the claim's creation.")
    changed_at = models.DateTimeField(help_text="When the latest change was committed.")
    deleted = models.BooleanField(default=False)
    public_seq = models.BigIntegerField(null=True, unique=True)
    public_since_seq = models.BigIntegerField(null=True, help_text="Position at which it was last published.")
    public_changed_at = models.DateTimeField(null=True)
    public_state = models.CharField(max_length=16, choices=PublicState.choices, blank=True)

    class Meta:
        # The feed is read, never written, by Django.
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.claim_id} at {self.seq}"

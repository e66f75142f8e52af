from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.reverse import reverse

from apps.actors.api.serializers import ActorBriefSerializer
from apps.actors.models import Actor
from apps.claims.api.representation import ClaimRenderer
from apps.claims.kinds import ClaimKind, ClaimStance, ClaimStatus, ClaimTrend
from apps.claims.models import (
    ChangeAction,
    Claim,
    ClaimRelation,
    Confidence,
    QuoteAnchor,
    RelationType,
    ReviewStatus,
)
from apps.claims.quantities import QuantityQualifier, QuantityUnit
from apps.claims.review import REASON_MAX_LENGTH
from apps.claims.validation import QUANTITY_FIELDS, QUANTITY_PARTS
from apps.core.api.fields import IdentityUrlField, OptionalChoiceField, PreciseDateField
from apps.core.api.sparse import SparseFieldsMixin
from apps.core.dates import DatePrecision
from apps.countries.api.serializers import CountryBriefSerializer, CountryCodeField
from apps.sources.api.serializers import SourceBriefSerializer
from apps.sources.models import Source


class QuantitySerializer(serializers.Serializer):
    """A qualified amount. Bounds are inclusive; a null bound is unbounded on that side."""

    value = serializers.FloatField(
        source="quantity_value", allow_null=True, required=False, help_text="The figure as stated."
    )
    lower = serializers.FloatField(source="quantity_lower", allow_null=True, required=False, help_text="Lower bound.")
    upper = serializers.FloatField(source="quantity_upper", allow_null=True, required=False, help_text="Upper bound.")
    qualifier = OptionalChoiceField(
        source="quantity_qualifier",
        choices=QuantityQualifier.choices,
        help_text="How the figure is qualified; bounds follow from it when not given (see the README's table).",
    )
    unit = serializers.ChoiceField(
        source="quantity_unit", choices=QuantityUnit.choices, help_text="What is counted or measured."
    )
    text = serializers.CharField(
        source="quantity_text",
        allow_blank=True,
        required=False,
        max_length=200,
        help_text="The raw wording, e.g. 'over 100,000'; vague amounts ('tens of thousands') get bounds from it.",
    )

    def to_representation(self, claim):
        return super().to_representation(claim) if claim.has_quantity else None


class QuoteAnchorSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteAnchor
        fields = ["exact", "start", "end", "prefix", "suffix"]


class ClaimReferenceSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:claim-detail")
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "url", "kind", "summary", "source"]


class ClaimRelationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=RelationType.choices)
    direction = serializers.ChoiceField(
        choices=[("outgoing", "outgoing"), ("incoming", "incoming")],
        help_text="outgoing: this claim is the relation's from_claim; incoming: its to_claim.",
    )
    note = serializers.CharField()
    claim = ClaimReferenceSerializer(help_text="The claim at the other end.")


class ClaimListSerializer(serializers.ListSerializer):
    """Claims rendered together: a constant number of queries, whatever their number."""

    def to_representation(self, data):
        return ClaimRenderer.for_serializer_context(self.context).render([claim.pk for claim in data])


class ClaimSerializer(SparseFieldsMixin, serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:claim-detail")
    source = SourceBriefSerializer()
    subject = ActorBriefSerializer(allow_null=True)
    object = ActorBriefSerializer(allow_null=True)
    claimant = ActorBriefSerializer(allow_null=True)
    location = CountryBriefSerializer(allow_null=True)
    countries = CountryBriefSerializer(
        many=True,
        source="involved_countries",
        help_text="Every country the claim involves, in any role: the countries given, its location, and its "
        "subject's and object's countries. The country filter finds the claim by exactly these.",
    )
    quantity = QuantitySerializer(source="*", allow_null=True)
    trend = OptionalChoiceField(
        choices=ClaimTrend.choices,
        help_text="Which way the source says the reported state is moving; null when it does not say.",
    )
    valid_from_precision = OptionalChoiceField(choices=DatePrecision.choices)
    valid_to_precision = OptionalChoiceField(choices=DatePrecision.choices)
    anchor = QuoteAnchorSerializer(
        allow_null=True, help_text="The verbatim passage and its offsets in the source text."
    )
    relations = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField(help_text="Curator notes; null unless the client may see drafts.")

    class Meta:
        model = Claim
        list_serializer_class = ClaimListSerializer
        fields = [
            "id",
            "url",
            "key",
            "kind",
            "status",
            "stance",
            "summary",
            "source",
            "subject",
            "object",
            "claimant",
            "location",
            "countries",
            "quantity",
            "trend",
            "valid_from",
            "valid_from_precision",
            "valid_to",
            "valid_to_precision",
            "reported_on",
            "anchor",
            "relations",
            "review_status",
            "confidence",
            "notes",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, claim):
        # Rendered by ClaimRenderer, as declared here (tests/test_api_representation.py holds the two equal).
        [document] = ClaimRenderer.for_serializer_context(self.context).render([claim.pk])
        return document

    def get_fields(self):
        fields = super().get_fields()
        if "anchor" in fields:
            fields["anchor"].required = False
        return fields

    @extend_schema_field(ClaimRelationBriefSerializer(many=True))
    def get_relations(self, claim):
        # The view prefetches only relations whose other end the client may see.
        items = [
            {"id": r.id, "type": r.type, "direction": "outgoing", "note": r.note, "claim": r.to_claim}
            for r in claim.relations_from.all()
        ] + [
            {"id": r.id, "type": r.type, "direction": "incoming", "note": r.note, "claim": r.from_claim}
            for r in claim.relations_to.all()
        ]
        items.sort(key=lambda item: item["id"])
        return ClaimRelationBriefSerializer(items, many=True, context=self.context).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_notes(self, claim):
        return claim.notes if self.context.get("sees_drafts") else None


class ClaimWriteSerializer(serializers.Serializer):
    """What a curator sends to create or change a claim. Actors by slug, countries by alpha-2 code."""

    key = serializers.SlugField(
        max_length=120,
        required=False,
        allow_null=True,
        help_text="A stable natural key of your choosing (letters, digits, - and _), unique among claims; optional.",
    )
    source = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Source.objects.only("id", "slug"),
        help_text="The slug of the source that makes the claim (see /api/v1/sources/), e.g. "
        "'eggert-2021-12-31-what-putin-wants'.",
    )
    kind = serializers.ChoiceField(
        choices=ClaimKind.choices,
        help_text="What kind of claim it is (see /api/v1/claim-kinds/ for each kind's required fields and statuses).",
    )
    status = serializers.ChoiceField(
        choices=ClaimStatus.choices,
        help_text="The kind of act or state reported; each claim kind allows some statuses (see /api/v1/claim-kinds/).",
    )
    stance = serializers.ChoiceField(
        choices=ClaimStance.choices,
        required=False,
        help_text="How the source puts it (see /claim-stances/); a new claim without one is 'stated'.",
    )
    summary = serializers.CharField(help_text="One neutral sentence saying what is claimed.")
    subject = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the actor the claim is about, or who acts (see /api/v1/actors/).",
    )
    object = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the actor acted upon or addressed: a sanctions target, an alliance joined…",
    )
    claimant = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Actor.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of the actor who asserts it, when that is not the source's own voice.",
    )
    location = CountryCodeField(allow_null=True, required=False, help_text="Alpha-2 code of where it happens.")
    countries = CountryCodeField(
        many=True,
        required=False,
        help_text="Alpha-2 codes of other countries the claim involves. The claim's countries, as read and "
        "filtered (?country=), are these plus its location and its subject's and object's countries.",
    )
    quantity = QuantitySerializer(
        allow_null=True, required=False, help_text="The amount claimed, if any: a figure or bounds, and a unit."
    )
    trend = OptionalChoiceField(
        choices=ClaimTrend.choices,
        help_text="Which way the source says the reported state is moving, as in 'over 100,000 and growing': "
        "growing or shrinking; null (or omitted on a new claim) when it does not say. A later figure in the "
        "direction said is a change over time, not a disagreement (see the comparison rules).",
    )
    valid_from = PreciseDateField(
        precision_field="valid_from_precision",
        allow_null=True,
        required=False,
        help_text="When the claimed situation starts or the event happens (YYYY-MM-DD); empty means open.",
    )
    valid_from_precision = OptionalChoiceField(
        choices=DatePrecision.choices,
        help_text="How precise valid_from is: day, month or year (a month or year is stored as its first day).",
    )
    valid_to = PreciseDateField(
        precision_field="valid_to_precision",
        allow_null=True,
        required=False,
        help_text="When the claimed situation ends (YYYY-MM-DD); empty means open.",
    )
    valid_to_precision = OptionalChoiceField(
        choices=DatePrecision.choices,
        help_text="How precise valid_to is: day, month or year (a month or year is stored as its last day).",
    )
    quote = serializers.CharField(
        trim_whitespace=False,
        required=False,
        help_text="The verbatim passage of the source's stored text; required when creating. "
        "The server finds its offsets and rejects a quote that is missing or occurs more than once.",
    )
    quote_start = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Offset of the quote, to pick one of several occurrences; checked against the text.",
    )
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.choices,
        required=False,
        help_text="A new claim is a draft. Only reviewers may mark a claim reviewed, published or rejected, "
        "and never one they last edited (four-eyes review).",
    )
    confidence = serializers.ChoiceField(
        choices=Confidence.choices, required=False, help_text="The curator's confidence in the reading; default medium."
    )
    notes = serializers.CharField(
        allow_blank=True, required=False, help_text="Curator notes; never shown to anonymous readers."
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="Superusers only: why four-eyes review is overridden, when deciding on a claim they last edited "
        "(recorded in the claim's history). Others are refused whatever they send.",
    )

    def to_service_arguments(self) -> dict:
        """The validated data as keyword arguments for claim_create / claim_update."""
        data = dict(self.validated_data)
        if "quantity" in data:
            quantity = data.pop("quantity") or {}
            for name in QUANTITY_PARTS.values():  # figures absent are None, words absent are ""
                data[name] = quantity.get(name, None if name in QUANTITY_FIELDS else "")
        for name in ("trend", "valid_from_precision", "valid_to_precision"):
            if name in data and data[name] is None:
                data[name] = ""
        return data


class ClaimCreateSerializer(ClaimWriteSerializer):
    """A new claim: as a change, but its quote is required (a claim is anchored in its source from the start)."""

    quote = serializers.CharField(
        trim_whitespace=False,
        error_messages={"required": "A new claim needs a quote from its source."},
        help_text="The verbatim passage of the source's stored text. The server finds its offsets and rejects "
        "a quote that is missing or occurs more than once.",
    )


class ClaimRelationSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:claimrelation-detail")
    from_claim = ClaimReferenceSerializer()
    to_claim = ClaimReferenceSerializer()

    class Meta:
        model = ClaimRelation
        fields = ["id", "url", "type", "from_claim", "to_claim", "note", "created_at", "updated_at"]


class ClaimRelationWriteSerializer(serializers.ModelSerializer):
    from_claim = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.only("id"), help_text="Id of the claim the relation starts from."
    )
    to_claim = serializers.PrimaryKeyRelatedField(
        queryset=Claim.objects.only("id"), help_text="Id of the claim the relation points to."
    )
    type = serializers.ChoiceField(
        choices=RelationType.choices,
        help_text="How the first claim relates to the second: it corroborates, contradicts or supersedes it, "
        "reports the same event, or the same thing changed over time.",
    )
    note = serializers.CharField(
        allow_blank=True, required=False, help_text="Why the claims are related, in the curator's words."
    )

    class Meta:
        model = ClaimRelation
        fields = ["type", "from_claim", "to_claim", "note"]
        validators = []  # the pair's uniqueness is checked by the model, in either direction


class ClaimKindSerializer(serializers.Serializer):
    id = serializers.ChoiceField(choices=ClaimKind.choices, help_text="The identifier used in claims and filters.")
    label = serializers.CharField()
    description = serializers.CharField()
    required_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields a claim of this kind must have."
    )
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=ClaimStatus.choices), help_text="Statuses a claim of this kind may take."
    )


class ClaimHistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="A claim field (foreign keys as ids, countries as codes), or quote.")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class ClaimHistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="Who made the change; null for operators' commands.")
    type = serializers.ChoiceField(choices=[("created", "created"), ("changed", "changed"), ("deleted", "deleted")])
    reason = serializers.CharField(allow_null=True, help_text="Why, when recorded (a superuser's review override).")
    changes = ClaimHistoryChangeSerializer(many=True)


class ClaimStanceSerializer(serializers.Serializer):
    id = serializers.ChoiceField(choices=ClaimStance.choices, help_text="The identifier used in claims and filters.")
    label = serializers.CharField()
    description = serializers.CharField()


class ChangeSerializer(serializers.Serializer):
    """One entry of the change feed: a claim, and what to do with a copy of it."""

    seq = serializers.IntegerField(help_text="Position in the feed: commit order, increasing, with gaps.")
    type = serializers.ChoiceField(choices=[("claim", "claim")], help_text="What changed; claims for now.")
    id = serializers.IntegerField(source="claim_id", help_text="The claim's id.")
    action = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text="created: new to a reader at `since`; updated: fetch it again; deleted: gone for good; "
        "withdrawn (anonymous readers): no longer published, drop your copy.",
    )
    time = serializers.DateTimeField(source="at", help_text="When the change was committed.")
    url = serializers.SerializerMethodField(help_text="The claim in the API; null once deleted or withdrawn.")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, change):
        if change.action in (ChangeAction.DELETED, ChangeAction.WITHDRAWN):
            return None
        return reverse("api:claim-detail", kwargs={"pk": change.claim_id}, request=self.context.get("request"))


# The feed's list answers one page object, not a list of them.
@extend_schema_serializer(many=False)
class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null once you are up to date.")
    last_seq = serializers.IntegerField(
        help_text="Where to continue from: the position of the last entry here (the `since` sent, when there is "
        "none). Keep it and ask for since=last_seq later."
    )
    results = ChangeSerializer(many=True)

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.claims.kinds import ClaimKind
from apps.claims.quantities import QuantityQualifier, QuantityUnit


class CandidateQuantitySerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="The figure as stated; null for a vague amount.")
    lower = serializers.FloatField(allow_null=True, help_text="Lower bound; null means unbounded.")
    upper = serializers.FloatField(allow_null=True, help_text="Upper bound; null means unbounded.")
    qualifier = serializers.ChoiceField(choices=QuantityQualifier.choices)
    unit = serializers.ChoiceField(choices=QuantityUnit.choices, help_text="Guessed from the word after the number.")
    text = serializers.CharField(help_text="The amount's wording with its qualifier, e.g. 'over 100,000'.")
    start = serializers.IntegerField(help_text="Offset of the wording in the source's stored text.")
    end = serializers.IntegerField()


class CandidateSerializer(serializers.Serializer):
    start = serializers.IntegerField(help_text="Offset of the passage (a sentence) in the source's stored text.")
    end = serializers.IntegerField(help_text="Offset just past the passage.")
    text = serializers.CharField(help_text="The passage, verbatim: usable as a claim's quote.")
    quantity = CandidateQuantitySerializer(allow_null=True, help_text="The amount this candidate is about, if any.")
    countries = serializers.ListField(child=serializers.CharField(), help_text="Alpha-2 codes of countries named.")
    actors = serializers.ListField(child=serializers.CharField(), help_text="Slugs of known actors named.")
    kind = serializers.ChoiceField(
        choices=ClaimKind.choices, allow_null=True, help_text="A suggested kind, when a word makes it clear."
    )
    subject = serializers.CharField(allow_null=True, help_text="A suggested subject: the first actor named.")
    location = serializers.CharField(
        allow_null=True, help_text='A suggested location: a country named after "in", "to", "into" or "near".'
    )
    claims = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of existing claims whose quote overlaps the passage."
    )


# One object, not a list of them: the candidates are its results.
@extend_schema_serializer(many=False)
class SourceCandidatesSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The source's slug.")
    count = serializers.IntegerField()
    results = CandidateSerializer(many=True)

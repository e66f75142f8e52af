from rest_framework import serializers

from apps.actors.models import Actor
from apps.core.api.fields import IdentityUrlField
from apps.countries.api.serializers import CountryBriefSerializer, CountryCodeField


class ActorBriefSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:actor-detail", lookup_field="slug")

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "url"]


class ActorSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:actor-detail", lookup_field="slug")
    country = CountryBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Actor
        fields = [
            "id",
            "slug",
            "name",
            "kind",
            "aliases",
            "country",
            "wikidata_qid",
            "description",
            "url",
            "created_at",
            "updated_at",
        ]


class ActorWriteSerializer(serializers.ModelSerializer):
    country = CountryCodeField(
        allow_null=True, required=False, help_text="ISO 3166-1 alpha-2 code of the actor's country."
    )

    class Meta:
        model = Actor
        fields = ["slug", "name", "kind", "aliases", "country", "wikidata_qid", "description"]
        extra_kwargs = {
            "slug": {"help_text": "The actor's identifier in URLs and in claims' subject, object and claimant."},
            "name": {"help_text": "The name readers know the actor by."},
            "kind": {"help_text": "What sort of actor: a person, a state, an organisation, a company…"},
            "aliases": {"help_text": "Other names and spellings, matched by the actors' search."},
            "wikidata_qid": {"help_text": "The actor's Wikidata item, e.g. Q159; empty when unknown."},
            "description": {"help_text": "Who the actor is, in a sentence or two."},
        }

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from apps.countries.models import Country


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    STATE = "state", "State"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    ALLIANCE = "alliance", "Alliance"
    COMPANY = "company", "Company"
    ARMED_GROUP = "armed_group", "Armed group"
    MEDIA = "media", "Media"
    OTHER = "other", "Other"


class Actor(models.Model):
    """Who does or says things. A state is an actor linked to its country."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ActorKind.choices)
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True, blank=True, related_name="actors")
    wikidata_qid = models.CharField(
        "Wikidata QID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata QID looks like Q7747.")],
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["kind", "name"]),
            GinIndex(fields=["aliases"], name="actor_aliases_gin"),
            # updated_since, and pages ordered by updated_at (how a mirror catches up).
            models.Index(fields=["updated_at", "id"], name="actor_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wikidata_qid="") | models.Q(wikidata_qid__regex=r"^Q[1-9][0-9]*$"),
                name="actor_wikidata_qid_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

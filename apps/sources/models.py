from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Upper
from simple_history.models import HistoricalRecords

from apps.core.dates import DatePrecision, date_phrase
from apps.sources.text import text_sha256


class SourceKind(models.TextChoices):
    NEWS = "news", "News"
    OPINION = "opinion", "Opinion"
    EDITORIAL = "editorial", "Editorial"
    ANALYSIS = "analysis", "Analysis"
    POLICY_REPORT = "policy_report", "Policy report"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    OTHER = "other", "Other"


# What an untitled source is called in its label: "Untitled opinion piece by …".
KIND_NOUNS = {
    SourceKind.NEWS: "news article",
    SourceKind.OPINION: "opinion piece",
    SourceKind.EDITORIAL: "editorial",
    SourceKind.ANALYSIS: "analysis",
    SourceKind.POLICY_REPORT: "policy report",
    SourceKind.OFFICIAL_STATEMENT: "official statement",
    SourceKind.OTHER: "document",
}


def names_phrase(names: list[str]) -> str:
    """["A"] → "A"; ["A", "B"] → "A and B"; ["A", "B", "C"] → "A, B and C"."""
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


class PublicationPrecision(models.TextChoices):
    DAY = DatePrecision.DAY.value, "Day"
    MONTH = DatePrecision.MONTH.value, "Month"
    YEAR = DatePrecision.YEAR.value, "Year"
    UNKNOWN = "unknown", "Unknown"


class Source(models.Model):
    """A document that makes claims. Its stored text is what every quote is anchored to."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500, blank=True, help_text="Empty when the document has none.")
    authors = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published_on = models.DateField(null=True, blank=True, help_text="First day of the period when imprecise.")
    published_precision = models.CharField(
        max_length=8, choices=PublicationPrecision.choices, default=PublicationPrecision.UNKNOWN
    )
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 language tag, e.g. en, nl, fr.")
    kind = models.CharField(max_length=32, choices=SourceKind.choices)
    text = models.TextField(help_text="The stored text; quotes are anchored to it character by character.")
    text_sha256 = models.CharField("text SHA-256", max_length=64, editable=False)
    metadata_notes = models.TextField(blank=True, help_text="Why a metadata value was inferred, when it was.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "id"]
        indexes = [
            models.Index(Upper("publisher"), name="source_publisher_upper"),
            models.Index(fields=["published_on", "id"], name="source_published_on"),
            # updated_since, and pages ordered by updated_at (how a mirror catches up).
            models.Index(fields=["updated_at", "id"], name="source_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(published_precision=PublicationPrecision.UNKNOWN, published_on__isnull=True)
                    | (
                        ~models.Q(published_precision=PublicationPrecision.UNKNOWN)
                        & models.Q(published_on__isnull=False)
                    )
                ),
                name="source_date_matches_precision",
                violation_error_message=(
                    "A publication date needs a precision, and a precision other than unknown needs a date."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(text_sha256__regex=r"^[0-9a-f]{64}$"), name="source_sha256_format"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.slug

    @property
    def label(self) -> str:
        """The title, or for a source without one what a reader would cite it by:
        "Untitled opinion piece by Michel Kerres, January 2022"."""
        return source_label(**{part: getattr(self, part) for part in LABEL_PARTS})

    def save(self, *args, **kwargs):
        self.text_sha256 = text_sha256(self.text)
        super().save(*args, **kwargs)


# The columns a source's label is made from (for readers of plain rows).
LABEL_PARTS = ("title", "kind", "authors", "publisher", "published_on", "published_precision")


def source_label(*, title, kind, authors, publisher, published_on, published_precision) -> str:
    """``Source.label`` from its parts."""
    if title:
        return title
    label = f"Untitled {KIND_NOUNS.get(kind, 'document')}"
    if authors:
        label += f" by {names_phrase(authors)}"
    if publisher:
        label += f", {publisher}"
    return f"{label}, {date_phrase(published_on, published_precision) or 'undated'}"

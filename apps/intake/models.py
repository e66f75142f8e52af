from django.conf import settings
from django.db import models

from apps.sources.models import Source


class DismissedCandidate(models.Model):
    """A candidate a curator has dismissed, so it is not proposed again for the same passage and amount."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quantity_text = models.CharField(max_length=200, blank=True, help_text="The amount's wording; empty for none.")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "start", "end", "quantity_text"], name="dismissed_candidate_once")
        ]

    def __str__(self) -> str:
        return f"{self.source.slug} [{self.start}:{self.end}] {self.quantity_text}".strip()


class IncomingSource(Source):
    """Sources as the intake pages show them: a new document, and the candidate claims of each."""

    class Meta:
        proxy = True
        verbose_name = "document intake"
        verbose_name_plural = "document intake"

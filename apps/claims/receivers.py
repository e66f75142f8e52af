"""How the claims app reacts to changes of the rows it depends on, announced by the lower apps."""

from django.core.exceptions import ValidationError

from apps.claims.models import QuoteAnchor


def anchors_still_match(sender, *, source, text: str, **kwargs) -> None:
    """Refuse a source's new text when it no longer holds the passages its claims quote, where they quote them."""
    anchors = QuoteAnchor.objects.filter(claim__source=source).only("claim_id", "start", "end", "exact")
    broken = [anchor.claim_id for anchor in anchors if text[anchor.start : anchor.end] != anchor.exact]
    if broken:
        claims = ", ".join(f"#{claim_id}" for claim_id in broken[:10])
        raise ValidationError(
            {"text": f"The new text no longer contains the quotes of claims {claims}; re-anchor them first."}
        )

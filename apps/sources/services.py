from django.core.exceptions import ValidationError
from django.db import transaction

from apps.sources.models import Source


@transaction.atomic
def source_create(**fields) -> Source:
    source = Source(**fields)
    source.full_clean(exclude=["text_sha256"])
    source.save()
    return source


def _broken_anchors(source: Source) -> list[int]:
    from apps.claims.models import QuoteAnchor

    anchors = QuoteAnchor.objects.filter(claim__source=source).only("claim_id", "start", "end", "exact")
    return [a.claim_id for a in anchors if source.text[a.start : a.end] != a.exact]


@transaction.atomic
def source_update(*, source: Source, **fields) -> Source:
    before = (source.text, source.title, source.published_on)
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean(exclude=["text_sha256"])
    if source.text != before[0]:
        broken = _broken_anchors(source)
        if broken:
            claims = ", ".join(f"#{claim_id}" for claim_id in broken[:10])
            raise ValidationError(
                {"text": f"The new text no longer contains the quotes of claims {claims}; re-anchor them first."}
            )
    source.save()
    if (source.text, source.title, source.published_on) != before:
        from apps.claims.services import claims_refresh_derived

        claims_refresh_derived(claim_ids=source.claims.values_list("id", flat=True))
    return source

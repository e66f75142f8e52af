from django.core.exceptions import ValidationError
from django.db import transaction

from apps.sources.models import Source
from apps.sources.signals import source_text_changing


@transaction.atomic
def source_create(**fields) -> Source:
    source = Source(**fields)
    source.full_clean(exclude=["text_sha256"])
    source.save()
    return source


@transaction.atomic
def source_update(*, source: Source, **fields) -> Source:
    # Claims derive their publication date and search vector from the source; the database
    # refreshes those itself (a trigger of the claims app). The anchors must still match the text.
    old_text = source.text
    for name, value in fields.items():
        setattr(source, name, value)
    source.full_clean(exclude=["text_sha256"])
    if source.text != old_text:
        source_text_check(source=source, text=source.text)
    source.save()
    return source


def source_text_check(*, source: Source, text: str) -> None:
    """Refuse a new ``text`` for ``source`` that something anchored in the old one (a claim's quote) needs."""
    if source.pk is None:
        return
    source_text_changing.send(sender=Source, source=source, text=text)


def source_delete_check(*, source: Source) -> None:
    """Refuse to delete a source that claims still cite."""
    count = source.claims.count()
    if count:
        raise ValidationError(
            f"“{source}” still has {count} claim{'s' if count != 1 else ''}, so it cannot be deleted: "
            "delete its claims or move them to another source first."
        )


@transaction.atomic
def source_delete(*, source: Source) -> None:
    """Delete a source no claim cites; its history keeps a trace."""
    source_delete_check(source=source)
    source.delete()

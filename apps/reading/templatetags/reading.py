from django import template

from apps.reading import words

register = template.Library()


@register.filter
def quantity_bounds(claim) -> str:
    if not claim.has_quantity:
        return ""
    return words.quantity_bounds_phrase(claim.quantity_lower, claim.quantity_upper, claim.quantity_unit)


@register.filter
def valid_time(claim) -> str:
    return words.valid_time_phrase(claim)


@register.filter
def number(value) -> str:
    return "" if value is None else words.number(value)


@register.filter
def source_line(source) -> str:
    """Authors, publisher and date, as far as they are known: "Frederick Kempe, Atlantic Council, 23 January 2022"."""
    parts = [
        ", ".join(source.authors),
        source.publisher,
        words.date_phrase(source.published_on, source.published_precision),
    ]
    return ", ".join(part for part in parts if part)

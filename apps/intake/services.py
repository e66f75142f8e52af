"""Bringing a new document in, and turning or dismissing its candidates."""

from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from apps.actors.models import Actor
from apps.claims.models import Claim
from apps.claims.services import claim_create
from apps.countries.models import Country
from apps.intake.candidates import Candidate
from apps.intake.models import DismissedCandidate
from apps.sources.models import Source
from apps.sources.services import source_create
from apps.sources.text import strip_markup, text_sha256

# Elements whose content is not part of the document's text.
_SKIPPED = {"script", "style", "head", "nav", "noscript", "template"}
# Elements that end a line of text.
_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article"}


class DocumentTooLarge(Exception):
    pass


class _TextOfHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def document_text(raw: bytes, *, html: bool) -> str:
    """A received document's stored text: UTF-8 decoded, HTML reduced to its text, markup stripped.

    Plain text goes through the same cleaning step as the fixtures' documents (``strip_markup``);
    HTML first loses its tags, scripts and styles, keeping one line per block.
    """
    if len(raw) > settings.DOCUMENT_MAX_BYTES:
        raise DocumentTooLarge(f"The document is over the limit of {settings.DOCUMENT_MAX_BYTES:,} bytes.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            {"text": f"The document is not UTF-8 (byte {error.start} cannot be read); convert it to UTF-8 first."}
        ) from None
    if html:
        parser = _TextOfHTML()
        parser.feed(text)
        parser.close()
        lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
        text = "\n\n".join(line for line in lines if line)
    text = strip_markup(text)
    if not text.strip():
        raise ValidationError({"text": "The document has no text."})
    return text


@transaction.atomic
def source_intake(*, raw: bytes, html: bool = False, **metadata) -> Source:
    """A new Source from a received document; a text already stored is refused with a link to its source."""
    text = document_text(raw, html=html)
    existing = Source.objects.filter(text_sha256=text_sha256(text)).only("pk", "slug").first()
    if existing is not None:
        url = reverse("admin:sources_source_change", args=[existing.pk])
        raise ValidationError(
            {"text": f"This text is already stored as the source {existing.slug} ({url})."}, code="duplicate"
        )
    return source_create(text=text, **metadata)


def candidate_dismiss(*, source: Source, start: int, end: int, quantity_text: str, user) -> DismissedCandidate:
    dismissal, _ = DismissedCandidate.objects.get_or_create(
        source=source, start=start, end=end, quantity_text=quantity_text, defaults={"dismissed_by": user}
    )
    return dismissal


def candidate_claim_fields(candidate: Candidate, *, actors: dict | None = None, countries: dict | None = None) -> dict:
    """The claim fields a candidate suggests, by model field name (actors and countries as objects).

    ``actors`` (by slug) and ``countries`` (by code) may be read once for a page of candidates."""
    if actors is None:
        actors = Actor.objects.in_bulk([candidate.subject] if candidate.subject else [], field_name="slug")
    if countries is None:
        countries = Country.objects.in_bulk([candidate.location] if candidate.location else [])
    fields: dict = {"summary": candidate.text, "kind": candidate.kind or "other", "status": "reported"}
    if candidate.subject:
        fields["subject"] = actors.get(candidate.subject)
    if candidate.location:
        fields["location"] = countries.get(candidate.location)
    if candidate.quantity:
        quantity = candidate.quantity
        fields.update(
            quantity_value=quantity.value,
            quantity_lower=quantity.lower,
            quantity_upper=quantity.upper,
            quantity_qualifier=quantity.qualifier,
            quantity_unit=quantity.unit,
            quantity_text=quantity.text,
        )
    return {name: value for name, value in fields.items() if value is not None}


def candidate_accept(*, source: Source, candidate: Candidate, by) -> Claim:
    """The candidate as a draft claim by ``by``, through the same service, validation and review rules
    as every claim (``by`` is its last editor, so someone else must decide on it)."""
    countries = Country.objects.filter(code__in=candidate.countries)
    return claim_create(
        by=by,
        source=source,
        quote=candidate.text,
        quote_start=candidate.start,
        countries=list(countries),
        review_status="draft",
        **candidate_claim_fields(candidate),
    )

"""The source page's reader: the stored text with every claim's quote highlighted, and what no claim covers yet.

The text is cut at every quote's start and end offset. Each piece becomes an
element whose text is exactly that piece of the stored text (escaped), so the
browser's text content of the container *is* the stored text and a selection's
character offsets can be computed from it (see static/sources/source_reader.js).
"""

from collections import Counter
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.claims.models import Claim, QuoteAnchor, ReviewStatus


@dataclass(frozen=True)
class Highlight:
    """One claim's quote in the text."""

    claim_id: int
    start: int
    end: int
    kind_label: str
    review_status: str
    review_label: str
    summary: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    claims: tuple[Highlight, ...]  # the quotes covering it, shortest first

    @property
    def covered(self) -> bool:
        return bool(self.claims)


def text_segments(text: str, highlights: list[Highlight]) -> list[Segment]:
    """The text cut at every quote boundary, each piece with the quotes that cover it."""
    cuts = sorted({0, len(text), *(h.start for h in highlights), *(h.end for h in highlights)})
    by_start = sorted(highlights, key=lambda h: h.start)
    opened = 0
    active: list[Highlight] = []
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        while opened < len(by_start) and by_start[opened].start <= start:
            active.append(by_start[opened])
            opened += 1
        # Every quote's end is a cut, so a quote still open at this piece's start covers all of it.
        active = [h for h in active if h.end > start]
        covering = sorted(active, key=lambda h: (h.end - h.start, h.claim_id))
        segments.append(Segment(start, end, tuple(covering)))
    return segments


def _is_passage(text: str) -> bool:
    """Uncovered text worth a curator's look: words or figures, not just spaces and punctuation."""
    return any(char.isalnum() for char in text)


def _html_text(value: str) -> str:
    # An HTML parser turns a raw carriage return into a line feed; a character reference keeps it.
    return escape(value).replace("\r", "&#13;")


def text_html(text: str, segments: list[Segment]) -> SafeString:
    parts: list[str] = []
    started: set[int] = set()
    for segment in segments:
        for highlight in segment.claims:
            if highlight.start == segment.start and highlight.claim_id not in started:
                # An empty target for "show in the source" links: adds no text, so offsets stay exact.
                parts.append(f'<span class="claim-start" id="claim-{highlight.claim_id}"></span>')
                started.add(highlight.claim_id)
        piece = text[segment.start : segment.end]
        if segment.covered:
            primary = segment.claims[0]
            title = "\n".join(f"#{h.claim_id} · {h.kind_label} · {h.review_label}: {h.summary}" for h in segment.claims)
            url = reverse("admin:claims_claim_change", args=[primary.claim_id])
            claim_ids = " ".join(str(h.claim_id) for h in segment.claims)
            # A mark, not a link: Chromium starts no text selection on a link, and curators select
            # inside quotes too. The script opens the claim on a plain click; the list links to it.
            parts.append(
                f'<mark class="hl review-{primary.review_status} depth-{min(len(segment.claims), 3)}" '
                f'data-href="{url}" data-offset="{segment.start}" data-claims="{claim_ids}" '
                f'title="{escape(title)}">{_html_text(piece)}</mark>'
            )
        elif _is_passage(piece):
            parts.append(
                f'<span class="gap" id="gap-{segment.start}" data-offset="{segment.start}">{_html_text(piece)}</span>'
            )
        else:
            parts.append(f'<span data-offset="{segment.start}">{_html_text(piece)}</span>')
    return mark_safe("".join(parts))  # every piece of text above is escaped


def _non_blank(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def source_reader(source, *, can_add_claims: bool) -> dict:
    """Everything the source page's reader shows: highlighted text, coverage, claims in reading order."""
    text = source.text
    claims = list(
        Claim.objects.filter(source=source)
        .select_related("anchor")
        .only("id", "kind", "summary", "review_status", "anchor__start", "anchor__end")
        .order_by("anchor__start", "id")
    )
    highlights, unanchored = [], []
    for claim in claims:
        try:
            anchor = claim.anchor
        except QuoteAnchor.DoesNotExist:
            unanchored.append(claim)
            continue
        highlights.append(
            Highlight(
                claim_id=claim.pk,
                start=anchor.start,
                end=min(anchor.end, len(text)),
                kind_label=claim.get_kind_display(),
                review_status=claim.review_status,
                review_label=claim.get_review_status_display(),
                summary=claim.summary,
            )
        )
    unanchored_ids = {claim.pk for claim in unanchored}
    segments = text_segments(text, highlights)
    total = _non_blank(text)
    quoted = sum(_non_blank(text[s.start : s.end]) for s in segments if s.covered)
    gaps = [s for s in segments if not s.covered and _is_passage(text[s.start : s.end])]
    coverage_map = [
        ("covered" if s.covered else "gap" if _is_passage(text[s.start : s.end]) else "blank", s.start, s.end - s.start)
        for s in segments
    ]
    statuses = Counter(claim.review_status for claim in claims)
    add_url = None
    if can_add_claims:
        add_url = f"{reverse('admin:claims_claim_add')}?source={source.pk}"
    return {
        "text_html": text_html(text, segments),
        "length": len(text),
        "percent": round(100 * quoted / total) if total else 0,
        "quoted": quoted,
        "total": total,
        "gap_count": len(gaps),
        "coverage_map": coverage_map,
        "claims": [
            {
                "id": claim.pk,
                "url": reverse("admin:claims_claim_change", args=[claim.pk]),
                "kind_label": claim.get_kind_display(),
                "review_status": claim.review_status,
                "review_label": claim.get_review_status_display(),
                "summary": claim.summary,
                "anchored": claim.pk not in unanchored_ids,
            }
            for claim in claims
        ],
        "status_counts": [(status.value, status.label, statuses.get(status.value, 0)) for status in ReviewStatus],
        "add_url": add_url,
    }

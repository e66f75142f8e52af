"""Four-eyes review: the one place that decides who may leave a claim reviewed, published or rejected.

Curators draft and edit; reviewers decide. Nobody decides on a claim they last edited,
and nobody changes what a decided claim says without another reviewer deciding again
(return it to draft to edit it). A superuser may override, and only with a reason,
which the claim's history records.
"""

from django.core.exceptions import PermissionDenied

from apps.claims.models import Claim, ReviewStatus

DECISIONS = frozenset({ReviewStatus.REVIEWED, ReviewStatus.PUBLISHED, ReviewStatus.REJECTED})
REVIEW_PERMISSION = "claims.review_claim"
# The longest reason a decision or an override may give, wherever it is given.
REASON_MAX_LENGTH = 500


class ReviewRefused(PermissionDenied):
    """The user may not make this review decision (a 403 in the API, a message in the admin)."""


def may_review(user) -> bool:
    return bool(user and user.is_active and user.has_perm(REVIEW_PERMISSION))


def review_check(*, claim: Claim, by, previous_status: str | None, edited: bool, override_reason: str = "") -> bool:
    """Refuse the write of ``claim`` (fields already applied) by ``by`` if it breaks four-eyes review.

    ``previous_status`` is the stored review status (None for a new claim) and ``edited``
    whether the write changes what the claim says, which makes ``by`` its last editor.
    ``by`` None is an operator's command (fixture load, import), not a person's decision.
    Returns whether a superuser's override was needed, so the caller records the reason.
    """
    if by is None or claim.review_status not in DECISIONS:
        return False
    decides = claim.review_status != previous_status
    if not (decides or edited):
        return False
    if decides and not may_review(by):
        raise ReviewRefused("Only reviewers may mark a claim reviewed, published or rejected.")
    last_editor = by.pk if edited else claim.last_edited_by_id
    if last_editor != by.pk:
        return False
    if by.is_superuser and override_reason.strip():
        return True
    raise ReviewRefused(
        "You last edited this claim, so another reviewer must decide on it: a reviewed, published or "
        "rejected claim is never decided or changed by its last editor. Return it to draft to edit it."
        + (" A superuser may override by giving a reason." if by.is_superuser else "")
    )

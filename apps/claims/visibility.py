"""Who may see which claims: anonymous clients and plain users see published claims only."""

from apps.claims.models import Claim, ClaimRelation, ReviewStatus


def sees_drafts(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("claims.view_claim"))


def visible_claims(user):
    claims = Claim.objects.all()
    return claims if sees_drafts(user) else claims.filter(review_status=ReviewStatus.PUBLISHED)


def visible_relations(user):
    relations = ClaimRelation.objects.all()
    if sees_drafts(user):
        return relations
    return relations.filter(
        from_claim__review_status=ReviewStatus.PUBLISHED, to_claim__review_status=ReviewStatus.PUBLISHED
    )

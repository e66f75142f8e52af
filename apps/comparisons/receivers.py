"""The comparisons app follows the claims it is built on: claims never call it."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from apps.claims.models import Claim, ClaimRelation
from apps.claims.services import claims_changed
from apps.comparisons.models import Membership
from apps.comparisons.services import claim_relations_changed, propositions_recompute, propositions_refresh


@receiver(claims_changed)
def regroup_changed_claims(sender, claim_ids, **kwargs):
    propositions_recompute(claim_ids=claim_ids)


@receiver([post_save, post_delete], sender=ClaimRelation)
def refresh_related_claims(sender, instance, **kwargs):
    claim_relations_changed(claim_ids=[instance.from_claim_id, instance.to_claim_id])


@receiver(pre_delete, sender=Claim)
def remember_proposition(sender, instance, **kwargs):
    # Gone by post_delete, with the claim's membership.
    instance.comparisons_propositions = set(
        Membership.objects.filter(claim_id=instance.pk).values_list("proposition_id", flat=True)
    )


@receiver(post_delete, sender=Claim)
def refresh_proposition_of_deleted_claim(sender, instance, **kwargs):
    propositions_refresh(proposition_ids=getattr(instance, "comparisons_propositions", ()))

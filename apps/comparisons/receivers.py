"""The comparisons app follows the claims it is built on: claims never call it."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimRelation
from apps.claims.services import claims_changed
from apps.comparisons.models import Membership
from apps.comparisons.services import claim_relations_changed, propositions_recompute, propositions_refresh
from apps.sources.models import Source


@receiver(claims_changed)
def regroup_changed_claims(sender, claim_ids, **kwargs):
    propositions_recompute(claim_ids=claim_ids)


# The database refreshes claims' own derived data when an actor or a source changes, without
# passing through claims_changed; what comparisons derive from them is refreshed here, and only
# when what they derive from changed: an actor's kind and country decide which proposition its
# claims belong to, a source's date is the time of its claims that give no valid time.
GROUPED_BY = {Actor: ("kind", "country_id"), Source: ("published_on", "published_precision")}


@receiver(pre_save, sender=Actor)
@receiver(pre_save, sender=Source)
def note_grouping_change(sender, instance, **kwargs):
    fields = GROUPED_BY[sender]
    before = sender.objects.filter(pk=instance.pk).values(*fields).first() if instance.pk else None
    instance.comparisons_stale = before is not None and before != {f: getattr(instance, f) for f in fields}


@receiver(post_save, sender=Actor)
def regroup_claims_of_actor(sender, instance, **kwargs):
    if getattr(instance, "comparisons_stale", False):
        ids = Claim.objects.filter(Q(subject=instance) | Q(object=instance)).values_list("id", flat=True)
        propositions_recompute(claim_ids=ids)


@receiver(post_save, sender=Source)
def regroup_claims_of_source(sender, instance, **kwargs):
    if getattr(instance, "comparisons_stale", False):
        propositions_recompute(claim_ids=instance.claims.values_list("id", flat=True))


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

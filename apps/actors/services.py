from django.db import transaction

from apps.actors.models import Actor


def _claim_ids(actor: Actor) -> set[int]:
    from django.db.models import Q

    from apps.claims.models import Claim

    return set(
        Claim.objects.filter(Q(subject=actor) | Q(object=actor) | Q(claimant=actor)).values_list("id", flat=True)
    )


@transaction.atomic
def actor_create(**fields) -> Actor:
    actor = Actor(**fields)
    actor.full_clean()
    actor.save()
    return actor


@transaction.atomic
def actor_update(*, actor: Actor, **fields) -> Actor:
    # What claims copy of their actors: the country into their country links, and the
    # brief (slug, name, kind) into their list documents.
    copied = ("country_id", "slug", "name", "kind")
    before = [getattr(actor, name) for name in copied]
    for name, value in fields.items():
        setattr(actor, name, value)
    actor.full_clean()
    actor.save()
    if [getattr(actor, name) for name in copied] != before:
        from apps.claims.services import claims_refresh_derived

        claims_refresh_derived(claim_ids=_claim_ids(actor))
    return actor

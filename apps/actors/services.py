from django.db import transaction

from apps.actors.models import Actor


def _claim_ids(actor: Actor) -> set[int]:
    from django.db.models import Q

    from apps.claims.models import Claim

    return set(Claim.objects.filter(Q(subject=actor) | Q(object=actor)).values_list("id", flat=True))


@transaction.atomic
def actor_create(**fields) -> Actor:
    actor = Actor(**fields)
    actor.full_clean()
    actor.save()
    return actor


@transaction.atomic
def actor_update(*, actor: Actor, **fields) -> Actor:
    country_before = actor.country_id
    for name, value in fields.items():
        setattr(actor, name, value)
    actor.full_clean()
    actor.save()
    if actor.country_id != country_before:
        # Claims about this actor now touch another country.
        from apps.claims.services import claims_refresh_derived

        claims_refresh_derived(claim_ids=_claim_ids(actor))
    return actor

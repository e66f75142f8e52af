from django.db import transaction

from apps.actors.models import Actor


@transaction.atomic
def actor_create(**fields) -> Actor:
    actor = Actor(**fields)
    actor.full_clean()
    actor.save()
    return actor


@transaction.atomic
def actor_update(*, actor: Actor, **fields) -> Actor:
    for name, value in fields.items():
        setattr(actor, name, value)
    actor.full_clean()
    actor.save()
    return actor

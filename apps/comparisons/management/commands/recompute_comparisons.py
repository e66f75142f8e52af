import time

from django.core.management.base import BaseCommand

from apps.comparisons.models import Proposition
from apps.comparisons.services import propositions_recompute_all


class Command(BaseCommand):
    help = (
        "Regroup every claim into propositions by the grouping rule (claims a curator placed stay where they are) "
        "and recompute every verdict-derived flag. Claim writes keep them current; run this after changing the "
        "rules or loading data by other means."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        propositions_recompute_all()
        compared = Proposition.objects.filter(document_count__gte=2)
        self.stdout.write(
            f"Recomputed {Proposition.objects.count()} propositions ({compared.count()} with two or more documents, "
            f"{compared.filter(disputed=True).count()} disputed) in {time.monotonic() - started:.1f} s."
        )

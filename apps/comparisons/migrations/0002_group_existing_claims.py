from django.db import migrations


def group_existing_claims(apps, schema_editor):
    # Claims written before propositions existed; later writes keep them grouped.
    from apps.comparisons.services import propositions_recompute_all

    propositions_recompute_all()


class Migration(migrations.Migration):
    dependencies = [("comparisons", "0001_initial"), ("claims", "0012_claim_disputed")]

    operations = [migrations.RunPython(group_existing_claims, migrations.RunPython.noop)]

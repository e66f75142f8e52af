from django.db import migrations, models

from apps.claims.services import saved_claim_document_sql


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_country_link_reported_on"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="list_document",
            field=models.TextField(editable=False, null=True),
        ),
        # Derived data: rendered with the current definition, as every later write renders it.
        migrations.RunSQL(
            f"UPDATE claims_claim c SET list_document = {saved_claim_document_sql('c')}",
            migrations.RunSQL.noop,
        ),
    ]

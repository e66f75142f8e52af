from django.db import migrations, models


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
    ]

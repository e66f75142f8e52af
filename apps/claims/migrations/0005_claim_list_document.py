from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_country_link_reported_on"),
    ]

    # The column was a stored copy of each claim's list representation; 0009 drops it.
    operations = [
        migrations.AddField(
            model_name="claim",
            name="list_document",
            field=models.TextField(editable=False, null=True),
        ),
    ]

from django.db import migrations


def load_countries(apps, schema_editor):
    from apps.countries.services import countries_sync

    countries_sync(country_model=apps.get_model("countries", "Country"))


class Migration(migrations.Migration):
    dependencies = [("countries", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]

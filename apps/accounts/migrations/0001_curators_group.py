from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_curators_group(apps, schema_editor):
    from apps.accounts.groups import curators_group_sync

    # Permissions are normally created after all migrations; this group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    curators_group_sync(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def remove_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("claims", "0002_anchor_matches_source_text"),
        ("actors", "0001_initial"),
        ("sources", "0001_initial"),
        ("countries", "0002_load_iso_3166"),
    ]

    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_reviewers_group(apps, schema_editor):
    from apps.accounts.groups import REVIEWERS, group_sync

    # Permissions are normally created after all migrations; review_claim is needed now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_sync(REVIEWERS, group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def remove_reviewers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="reviewers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_curators_group"),
        ("claims", "0011_claim_last_edited_by_review_permission"),
    ]

    operations = [migrations.RunPython(create_reviewers_group, remove_reviewers_group)]

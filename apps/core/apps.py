from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"

    def ready(self):
        from apps.core.data_version import data_version_triggers_install

        post_migrate.connect(data_version_triggers_install, sender=self)

from django.apps import AppConfig


class ComparisonsConfig(AppConfig):
    name = "apps.comparisons"
    label = "comparisons"

    def ready(self):
        from apps.comparisons import receivers  # noqa: F401  (connects the signal handlers)

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "apps.claims"
    label = "claims"

    def ready(self):
        from apps.claims.receivers import anchors_still_match
        from apps.sources.signals import source_text_changing

        source_text_changing.connect(anchors_still_match, dispatch_uid="claims.anchors_still_match")

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from apps.accounts.api.views import ApiTokenViewSet
from apps.actors.api.views import ActorViewSet
from apps.claims.api.views import (
    ClaimChangeViewSet,
    ClaimKindViewSet,
    ClaimRelationViewSet,
    ClaimStanceViewSet,
    ClaimViewSet,
)
from apps.comparisons.api.views import ClaimComparisonView, ComparisonViewSet
from apps.core import views as core_views
from apps.core.api.documentation import RedocPage, SwaggerPage
from apps.core.api.index import ApiIndexView
from apps.core.health import LivenessView, ReadinessView
from apps.countries.api.views import CountryViewSet
from apps.intake.api.views import SourceCandidateViewSet
from apps.sources.api.views import SourceViewSet

router = DefaultRouter()
router.include_root_view = False
# One address per resource: JSON is the only format (?format=json still names it); no claims.json twins.
router.include_format_suffixes = False
router.register("countries", CountryViewSet, basename="country")
router.register("actors", ActorViewSet, basename="actor")
router.register("sources", SourceViewSet, basename="source")
router.register("claims", ClaimViewSet, basename="claim")
router.register("claim-relations", ClaimRelationViewSet, basename="claimrelation")
router.register("claim-kinds", ClaimKindViewSet, basename="claim-kind")
router.register("claim-stances", ClaimStanceViewSet, basename="claim-stance")
router.register("changes", ClaimChangeViewSet, basename="change")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("comparisons", ComparisonViewSet, basename="comparison")
router.register(r"sources/(?P<source_slug>[^/.]+)/candidates", SourceCandidateViewSet, basename="source-candidate")

api_urls = [
    re_path(r"^claims/export\.(?P<export_format>csv|ndjson|jsonld)$", ClaimViewSet.export_view(), name="claim-export"),
    *router.urls,
]

# Resources reached without path parameters (a source's candidates are listed from the source).
api_index = ApiIndexView.as_view(
    resources={prefix: f"api:{basename}-list" for prefix, _, basename in router.registry if "(?P" not in prefix}
)

urlpatterns = [
    path("api/v1/", api_index, name="api-index"),
    path("api/v1/", include((api_urls, "api"))),
    path("api/v1/claims/<int:pk>/comparison/", ClaimComparisonView.as_view(), name="claim-comparison"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerPage.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocPage.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
    path("healthz", LivenessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("", include("apps.reading.urls")),
]

handler404 = core_views.not_found
handler500 = core_views.server_error

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.actors.api.views import ActorViewSet
from apps.claims.api.views import ClaimKindViewSet, ClaimRelationViewSet, ClaimStanceViewSet, ClaimViewSet
from apps.comparisons.api.views import ClaimComparisonView, ComparisonViewSet
from apps.core import views as core_views
from apps.core.health import LivenessView, ReadinessView
from apps.countries.api.views import CountryViewSet
from apps.sources.api.views import SourceViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("countries", CountryViewSet, basename="country")
router.register("actors", ActorViewSet, basename="actor")
router.register("sources", SourceViewSet, basename="source")
router.register("claims", ClaimViewSet, basename="claim")
router.register("claim-relations", ClaimRelationViewSet, basename="claimrelation")
router.register("claim-kinds", ClaimKindViewSet, basename="claim-kind")
router.register("claim-stances", ClaimStanceViewSet, basename="claim-stance")
router.register("comparisons", ComparisonViewSet, basename="comparison")

urlpatterns = [
    path("api/v1/", include((router.urls, "api"))),
    path("api/v1/claims/<int:pk>/comparison/", ClaimComparisonView.as_view(), name="claim-comparison"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
    path("healthz", LivenessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
]

handler404 = core_views.not_found
handler500 = core_views.server_error

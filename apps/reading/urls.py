from django.urls import path, register_converter
from django.urls.converters import IntConverter

from apps.reading import views


class RowIdConverter(IntConverter):
    """A row's id: a number too long for PostgreSQL's bigint names no row, so the URL matches nothing (404)
    instead of reaching the database."""

    largest = 2**63 - 1

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > self.largest:
            raise ValueError(f"{value} is past the largest id")
        return number


register_converter(RowIdConverter, "id")

app_name = "reading"

urlpatterns = [
    path("", views.HomePage.as_view(), name="home"),
    path("claims/", views.ClaimListPage.as_view(), name="claim-list"),
    path("claims/<id:pk>/", views.ClaimPage.as_view(), name="claim-detail"),
    path("comparisons/", views.ComparisonListPage.as_view(), name="comparison-list"),
    path("comparisons/<id:pk>/", views.ComparisonPage.as_view(), name="comparison-detail"),
    path("sources/<slug:slug>/", views.SourcePage.as_view(), name="source-detail"),
]

from django.urls import path

from apps.reading import views

app_name = "reading"

urlpatterns = [
    path("", views.HomePage.as_view(), name="home"),
    path("claims/", views.ClaimListPage.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimPage.as_view(), name="claim-detail"),
    path("comparisons/", views.ComparisonListPage.as_view(), name="comparison-list"),
    path("comparisons/<int:pk>/", views.ComparisonPage.as_view(), name="comparison-detail"),
    path("sources/<slug:slug>/", views.SourcePage.as_view(), name="source-detail"),
]

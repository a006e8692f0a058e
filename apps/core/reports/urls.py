"""Report addresses (apps/core/urls.py mounts them at the site's root, namespace ``reports``)."""

from django.urls import path

from apps.core.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/<str:kind>/<id:object_id>/", views.report_create, name="create"),
    path("moderation/reports/<str:kind>/<id:object_id>/<slug:decision>/", views.report_decide, name="decide"),
]

from django.urls import path

from apps.core.views import dashboards

urlpatterns = [
    path("dashboard/", dashboards.dashboard_home, name="dashboard"),
    path("dashboard/<slug:key>/", dashboards.dashboard_page, name="dashboard-page"),
]

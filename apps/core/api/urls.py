from django.urls import path

from apps.core.api.views import ActivityListView, ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("activity/", ActivityListView.as_view(), name="api-activity"),
]

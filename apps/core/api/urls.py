from django.urls import include, path

from apps.core.api.auth_views import LogoutView, MeView, TokenObtainView, TokenRefreshView
from apps.core.api.notification_views import (
    NotificationListView,
    NotificationReadAllView,
    NotificationReadView,
    PreferencesView,
    UnreadCountView,
)
from apps.core.api.report_views import ReportCreateView
from apps.core.api.site_views import SiteComponentsView, SitePageDetailView, SitePageListView, ThemeView
from apps.core.api.views import ActivityListView, ApiRootView
from apps.core.platform.hooks import registry

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("activity/", ActivityListView.as_view(), name="api-activity"),
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh/", TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("me/", MeView.as_view(), name="api-me"),
    path("notifications/", NotificationListView.as_view(), name="api-notifications"),
    path("notifications/unread-count/", UnreadCountView.as_view(), name="api-notifications-unread-count"),
    path("notifications/read-all/", NotificationReadAllView.as_view(), name="api-notifications-read-all"),
    path("notifications/preferences/", PreferencesView.as_view(), name="api-notification-preferences"),
    path("notifications/<id:pk>/read/", NotificationReadView.as_view(), name="api-notification-read"),
    path("reports/", ReportCreateView.as_view(), name="api-reports"),
    path("site/pages/", SitePageListView.as_view(), name="api-site-pages"),
    path("site/pages/<slug:slug>/", SitePageDetailView.as_view(), name="api-site-page"),
    path("site/components/", SiteComponentsView.as_view(), name="api-site-components"),
    path("site/theme/", ThemeView.as_view(), name="api-site-theme"),
    # Each domain's API, from its app hook, under its own prefix.
    *(path(mount.prefix, include(mount.urlconf)) for mount in registry().api_mounts),
]

"""The notification pages (apps/core/urls.py mounts them under /notifications/, namespace
``notifications``)."""

from django.urls import path

from apps.core.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read-all"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.notification_unsubscribe, name="unsubscribe"),
    path("<id:pk>/open/", views.notification_open, name="open"),
    path("<id:pk>/read/", views.notification_read, name="read"),
]

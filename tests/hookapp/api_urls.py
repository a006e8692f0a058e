from django.urls import path

from tests.hookapp import views

urlpatterns = [path("things/", views.ThingListView.as_view(), name="api-hooked-things")]

from django.urls import path

from tests.hookapp import views

app_name = "hookapp"

urlpatterns = [path("", views.index, name="index")]

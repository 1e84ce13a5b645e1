"""The console of national and province admins (under /konsol/ on the portal)."""

from django.urls import path

from insights import views as insights_views
from portal import views

urlpatterns = [
    path("", views.console, name="console"),
    path("pusat-komando/", insights_views.command_centre, name="command-centre"),
    path("satker/baru/", views.onboard, name="console-onboard"),
    path("satker/<str:code>/", views.satker_detail, name="console-satker"),
    path("satker/<str:code>/status/", views.set_status, name="console-satker-status"),
    path("satker/<str:code>/undang/", views.invite_admin, name="console-satker-invite"),
    path("satker/<str:code>/kuota/", views.set_quota, name="console-satker-quota"),
]

"""The portal's API (under /api/v1/): satkers, the directory and the command centre."""

from django.urls import path

from insights import api as insights_api
from portal import api
from tenants import api as tenants_api

urlpatterns = [
    path("satkers/", tenants_api.SatkerListCreate.as_view(), name="api-satkers"),
    path("satkers/<str:code>/", tenants_api.SatkerDetail.as_view(), name="api-satker"),
    path("directory/", api.DirectorySearch.as_view(), name="api-directory"),
    path("command-centre/", insights_api.CommandCentre.as_view(), name="api-command-centre"),
]

from django.urls import path

from tenants import api

urlpatterns = [
    path("satkers/", api.SatkerListCreate.as_view(), name="api-satkers"),
    path("satkers/<str:code>/", api.SatkerDetail.as_view(), name="api-satker"),
    path("directory/", api.DirectorySearch.as_view(), name="api-directory"),
    path("command-centre/", api.CommandCentre.as_view(), name="api-command-centre"),
]

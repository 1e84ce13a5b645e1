from django.urls import path

from statdata import api

urlpatterns = [
    path("api/v1/figures/", api.Figures.as_view(), name="api-figures"),
]

"""URL root of every satker host."""

from django.urls import path

from core import views
from core.urls_common import urlpatterns as common_patterns

urlpatterns = common_patterns + [
    path("akun/daftar/", views.sign_up, name="sign_up"),
]

"""A satker's own reports."""

from django.urls import path

from insights import views

urlpatterns = [
    path("pengaturan/dasbor/", views.dashboard, name="dashboard"),
    path("pengaturan/dasbor/unduh.<str:fmt>", views.dashboard_export, name="dashboard-export"),
    path("petugas-terbaik/", views.officer_leaderboard, name="officer-leaderboard"),
]

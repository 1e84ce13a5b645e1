from django.urls import path

from statdata import views

urlpatterns = [
    path("pengaturan/data-bps/", views.followed_tables, name="followed-tables"),
]

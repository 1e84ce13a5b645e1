from django.urls import path

from statdata import views

urlpatterns = [
    path("pengaturan/data-bps/", views.followed_tables, name="followed-tables"),
    path("pengaturan/data-tabel/", views.upload_table, name="upload-table"),
    path("pengaturan/data-tabel/petakan/", views.table_mapping, name="table-mapping"),
]

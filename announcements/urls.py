from django.urls import path

from announcements import views

urlpatterns = [
    path("topik/", views.topics, name="topics"),
    path("pengumuman/<int:pk>/", views.announcement_detail, name="announcement"),
    path("pengaturan/pengumuman/", views.manage_announcements, name="manage-announcements"),
]

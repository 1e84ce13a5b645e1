from django.urls import path

from booking import views

urlpatterns = [
    path("petugas/", views.officer_directory, name="booking-directory"),
    path("petugas/<int:officer_id>/jadwal/", views.officer_slots, name="booking-officer-slots"),
    path("keahlian/<slug:slug>/jadwal/", views.expertise_slots, name="booking-expertise-slots"),
    path("konsultasi/", views.my_consultations, name="booking-mine"),
    path("konsultasi/baru/", views.request_consultation, name="booking-request"),
    path("konsultasi/<int:pk>/", views.consultation_detail, name="booking-detail"),
    path("konsultasi/<int:pk>/nilai/", views.feedback, name="booking-feedback"),
    path("konsultasi/<int:pk>/kalender.ics", views.calendar_file, name="booking-ics"),
    path("konsultasi/<int:pk>/<str:action>/", views.consultation_action, name="booking-action"),
    path("kotak-masuk/", views.inbox, name="booking-inbox"),
    path("pengaturan/petugas/", views.manage_officers, name="booking-manage-officers"),
    path("pengaturan/petugas/<int:user_id>/", views.edit_officer, name="booking-edit-officer"),
    path("pengaturan/keahlian/", views.manage_expertise, name="booking-manage-expertise"),
    path("pengaturan/jadwal/", views.booking_rules, name="booking-rules"),
    path("pengaturan/kepuasan/", views.satisfaction, name="booking-satisfaction"),
]

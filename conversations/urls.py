from django.urls import path

from conversations import views

urlpatterns = [
    path("tanya-petugas/", views.ask, name="conversation-ask"),
    path("percakapan/", views.conversation_list, name="conversations"),
    path("pengaturan/percakapan/", views.conversation_settings, name="conversation-settings"),
    path("percakapan/nilai/<str:token>/", views.rate, name="conversation-rate"),
    path("percakapan/konsultasi/<int:pk>/", views.consultation_thread, name="consultation-thread"),
    path("percakapan/whatsapp/<str:action>/", views.whatsapp_link, name="whatsapp-link"),
    path("percakapan/<int:pk>/", views.conversation, name="conversation"),
    path("percakapan/<int:pk>/lampiran/<int:message_id>/", views.attachment, name="conversation-attachment"),
    path("percakapan/<int:pk>/<str:action>/", views.conversation_action, name="conversation-action"),
]

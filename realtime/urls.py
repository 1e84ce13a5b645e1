from django.urls import path

from realtime import api, views

urlpatterns = [
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/baca/", views.mark_read, name="notifications-read"),
    path("pengaturan/pengiriman/", views.delivery_log, name="delivery-log"),
    path("pengaturan/pengiriman/<int:pk>/ulang/", views.retry_delivery, name="delivery-retry"),
    path("api/v1/notifications/", api.NotificationList.as_view(), name="api-notifications"),
    path("api/v1/notifications/read/", api.MarkRead.as_view(), name="api-notifications-read"),
    path("api/v1/push/subscriptions/", api.PushSubscriptions.as_view(), name="api-push-subscriptions"),
]

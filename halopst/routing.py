"""WebSocket routes of every app, served by the ASGI process behind the satker middleware."""

from django.urls import path

from insights.consumers import CommandCentreConsumer
from realtime.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/pusat-komando/", CommandCentreConsumer.as_asgi()),
]

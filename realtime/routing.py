from django.urls import path

from realtime import consumers
from tenants.consumers import CommandCentreConsumer

websocket_urlpatterns = [
    path("ws/notifications/", consumers.NotificationConsumer.as_asgi()),
    path("ws/pusat-komando/", CommandCentreConsumer.as_asgi()),
]

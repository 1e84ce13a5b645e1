from django.urls import path

from realtime import consumers

websocket_urlpatterns = [
    path("ws/session/", consumers.SessionConsumer.as_asgi()),
]

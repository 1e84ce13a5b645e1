"""ASGI entry point: HTTP through Django (django-tenants routes it), WebSockets through
Channels behind the satker middleware."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halopst.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from halopst.routing import websocket_urlpatterns  # noqa: E402
from halopst.startup import settle  # noqa: E402
from tenants.channels import SatkerWebsocketMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SatkerWebsocketMiddleware(URLRouter(websocket_urlpatterns)),
    }
)
settle()

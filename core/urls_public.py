"""URL root of the public portal (the bare base domain)."""

from django.urls import include, path

from core.urls_common import urlpatterns as common_patterns
from realtime import webhooks

urlpatterns = common_patterns + [
    path("konsol/", include("tenants.urls")),
    path("api/v1/", include("tenants.api_urls")),
    path("webhooks/sendgrid/", webhooks.sendgrid_events, name="webhook-sendgrid"),
    path("webhooks/whatsapp/", webhooks.whatsapp_events, name="webhook-whatsapp"),
]

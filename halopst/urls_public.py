"""URL root of the public portal (the bare base domain)."""

from django.urls import include, path

from conversations.webhooks import whatsapp_events
from core import views as core_views
from halopst.urls_common import urlpatterns as common_patterns
from portal import views as portal_views
from realtime import webhooks

urlpatterns = common_patterns + [
    path("", portal_views.portal_home, name="home"),
    # A HaloPST account: made on the portal, signing in at every satker.
    path("akun/daftar/", core_views.sign_up, name="sign_up"),
    path("akun/masuk-ke/<str:code>/", portal_views.sign_in_at_satker, name="portal-sign-in"),
    path("konsol/pengetahuan/", include("shared_knowledge.urls")),
    path("konsol/", include("portal.urls")),
    path("api/v1/", include("portal.api_urls")),
    path("", include("statdata.api_urls")),
    path("webhooks/sendgrid/", webhooks.sendgrid_events, name="webhook-sendgrid"),
    path("webhooks/whatsapp/", whatsapp_events, name="webhook-whatsapp"),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

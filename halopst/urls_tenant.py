"""URL root of every satker host."""

from django.urls import include, path

from core import views
from halopst.urls_common import urlpatterns as common_patterns
from tenants import views as tenant_views

urlpatterns = common_patterns + [
    path("", views.satker_home, name="home"),
    path("akun/daftar/", views.sign_up, name="sign_up"),
    path("akun/ke-portal/", tenant_views.to_portal, name="to-portal"),
    path("akun/dari-portal/", tenant_views.from_portal, name="from-portal"),
    path("pengaturan/tampilan/", tenant_views.branding, name="branding"),
    path("", include("booking.urls")),
    path("", include("conversations.urls")),
    path("", include("realtime.urls")),
    path("", include("announcements.urls")),
    path("", include("insights.urls")),
    path("", include("aida.urls")),
    path("", include("statdata.urls")),
    path("", include("statdata.api_urls")),
    path("api/v1/", include("booking.api_urls")),
    path("api/v1/", include("conversations.api_urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

"""URLs served on every host, the portal's and each satker's (each root adds its own home page)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from core import api, media, views
from core.forms import EmailAuthenticationForm
from core.ratelimit import limit
from tenants import views as tenant_views

auth_patterns = [
    path(
        "masuk/",
        limit("login", per_account_field="username", failures_only=True)(
            views.LoginView.as_view(authentication_form=EmailAuthenticationForm)
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "sandi/lupa/",
        limit("password_reset", per_account_field="email")(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("sandi/lupa/terkirim/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("sandi/atur/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("sandi/atur/selesai/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("undangan/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("profil/", views.profile, name="profile"),
    path("2fa/", views.two_factor, name="two-factor"),
    path("2fa/kode-cadangan/", views.recovery_codes, name="recovery-codes"),
    path("data-saya/", views.my_data, name="my-data"),
    path("data-saya/unduh/", views.my_data_download, name="my-data-download"),
]

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", RedirectView.as_view(url=static("halopst/favicon.svg"), permanent=True)),
    path("sw.js", views.service_worker, name="service-worker"),
    path("luring/", views.offline, name="offline"),
    path("manifest.webmanifest", tenant_views.web_manifest, name="web-manifest"),
    path("akun/", include(auth_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/me/", api.MeView.as_view(), name="api-me"),
    path("api/schema/", api.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("tema.css", tenant_views.theme_css, name="theme-css"),
    path("audit/", tenant_views.audit_log, name="audit-log"),
    path("privasi/", views.privacy_notice, name="privacy-notice"),
    path("pengaturan/akun-terkunci/", views.locked_accounts, name="locked-accounts"),
]

# Uploaded files, each host only its own satker's (core.media).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.satker_media, name="media")]

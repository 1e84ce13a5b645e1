"""HaloPST settings.

Everything that differs between a laptop, CI and production comes from the environment
(see deploy/.env.example). With nothing set, `halopst.devstack` starts embedded PostgreSQL and
Valkey and exports DATABASE_URL / REDIS_URL before Django starts.
"""

import base64
import hashlib
import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("HALOPST_DEBUG", True)
SECRET_KEY = os.environ.get("HALOPST_SECRET_KEY", "insecure-development-key-change-me")
if not DEBUG and SECRET_KEY.startswith("insecure"):
    raise RuntimeError("HALOPST_SECRET_KEY must be set when HALOPST_DEBUG is off")
# Fernet keys (comma-separated, newest first) that seal secrets kept in the database
# (core.sealing). Without them, one is derived from SECRET_KEY so a newcomer's machine works;
# a deployment sets its own, kept apart from the database and its backups.
HALOPST_SEALING_KEYS = [key for key in os.environ.get("HALOPST_SEALING_KEYS", "").split(",") if key] or [
    base64.urlsafe_b64encode(hashlib.sha256(b"halopst-sealing:" + SECRET_KEY.encode()).digest()).decode()
]

# Satkers live at <subdomain>.<HALOPST_BASE_DOMAIN>; the bare domain is the public portal.
HALOPST_BASE_DOMAIN = os.environ.get("HALOPST_BASE_DOMAIN", "localhost").lower()
HALOPST_URL_SCHEME = os.environ.get("HALOPST_URL_SCHEME", "http")
# Port appended to links in e-mails, for development servers that are not on 80/443.
HALOPST_PUBLIC_PORT = os.environ.get("HALOPST_PUBLIC_PORT", "")
ALLOWED_HOSTS = [HALOPST_BASE_DOMAIN, f".{HALOPST_BASE_DOMAIN}"] + [
    host for host in os.environ.get("HALOPST_EXTRA_HOSTS", "").split(",") if host
]
# Schema cloned for every new satker; never a tenant itself.
HALOPST_TEMPLATE_SCHEMA = "halopst_template"
HALOPST_INVITATION_DAYS = 7
# Meeting rooms are generated on this Jitsi server (self-hostable) when an officer leaves the link empty.
HALOPST_JITSI_BASE_URL = os.environ.get("HALOPST_JITSI_BASE_URL", "https://meet.jit.si")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "billing_quota",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "core",
    # Two-factor devices live beside the accounts they belong to (public and every satker).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The outbox: the portal's invitations (province and national admins) are e-mailed through it too.
    "realtime",
    # Statistical figures are public data: kept once, read by every satker's AIDA.
    "statdata",
    # National and province knowledge entries: kept once, inherited by the satkers of their scope.
    "shared_knowledge",
    # Public-schema apps above the satker apps: rollups and the command centre, the portal.
    "insights",
    "portal",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    # Failed logins are kept where the accounts are: each satker's schema, and public for
    # national and province admins. A lockout in one satker is invisible to another.
    "axes",
    "core",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "booking",
    "aida",
    "realtime",
    "announcements",
    "conversations",
]
# daphne first: its runserver serves HTTP and WebSockets through the ASGI application.
INSTALLED_APPS = ["daphne"] + SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS] + ["halopst"]

TENANT_MODEL = "tenants.Satker"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "halopst.urls_public"
ROOT_URLCONF = "halopst.urls_tenant"
# One SET search_path per connection and schema switch, not one per cursor.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Every request's id (for its log lines and tasks) and its time, the probes' included.
    "core.request_id.RequestIdMiddleware",
    "core.metrics.RequestMetricsMiddleware",
    # Probes (and /metrics) next: they come by IP over plain HTTP, before host checks and redirects (core.health).
    "core.health.HealthCheckMiddleware",
    # Then: even the pages for unknown or suspended hosts carry the security headers.
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    # Static files are the same for every host, the unknown ones included (their page is styled).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.SatkerMiddleware",
    "core.middleware.RejectNullBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tenants.middleware.SatkerTimezoneMiddleware",
    "core.middleware.LockoutMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.satker",
                "realtime.context_processors.unread_notifications",
            ],
        },
    },
]

ASGI_APPLICATION = "halopst.asgi.application"
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Under ASGI every request and socket may run its database work on another thread, and each
# thread keeps its own connection: with persistent connections two web processes under a few
# hundred users exhausted PostgreSQL's 100 slots (bench/load.py). In production set
# HALOPST_DB_POOL_MAX_SIZE: each process then shares a psycopg pool of at most that many
# connections (Django closes them back into the pool after each request).
DB_POOL_MAX_SIZE = int(os.environ.get("HALOPST_DB_POOL_MAX_SIZE", "0"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/halopst"),
        conn_max_age=0 if DB_POOL_MAX_SIZE else int(os.environ.get("HALOPST_DB_CONN_MAX_AGE", "60")),
        engine="django_tenants.postgresql_backend",
    )
}
if DB_POOL_MAX_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": 10,
    }
# Behind PgBouncer in transaction pooling mode (deploy/pgbouncer.ini): each transaction carries
# its satker's schema (halopst/transaction_pooling), no server-side cursors (they outlive a
# transaction) and no server-side prepared statements (they live on one server connection).
if env_bool("HALOPST_DB_TRANSACTION_POOLING", False):
    DATABASES["default"]["ENGINE"] = "halopst.transaction_pooling"
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DATABASE_ROUTERS = ["tenants.routers.SatkerOnlyModelsRouter", "django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# A Redis database of its own instead of REDIS_URL's: each parallel test worker takes one
# (halopst.devstack; pytest-xdist's worker specs cannot carry a URL).
if os.environ.get("HALOPST_REDIS_DB"):
    REDIS_URL = urlsplit(REDIS_URL)._replace(path="/" + os.environ["HALOPST_REDIS_DB"]).geturl()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the schema it was made in: one satker never reads another's.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": os.environ.get("HALOPST_CACHE_PREFIX", "halopst"),
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "realtime.layer.BatchingRedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout by default, which kills the layer's
        # blocking BZPOPMIN on every idle socket (1011 every ~5 s; channels_redis#422). It also
        # caps a pool at 100 connections and fails the 101st at once: 300 sockets opening
        # together lost a third of their group_add calls (bench/load.py). A connection is held
        # only for one command, so a high cap costs nothing while idle.
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 2000}],
            "prefix": "halopst:asgi",
        },
    }
}

CELERY_BROKER_URL = REDIS_URL
# Results are not kept: tasks record what they did in the database.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The WhatsApp channel's bulk (people's messages in, AIDA's answers and what the bot sends) has its
# own queue and worker (deploy/compose.yaml), so a burst never delays what officers send or the
# notifications on the default queue (bench/conversations.py: officer replies waited ~50 s behind it).
WHATSAPP_QUEUE = "whatsapp"
# The nightly backup runs apart too: it needs PostgreSQL directly (pg_dump and an exported
# snapshot do not pass PgBouncer's transaction pooling) and the backup volume.
MAINTENANCE_QUEUE = "maintenance"
CELERY_TASK_ROUTES = {
    **{
        f"conversations.tasks.{name}": {"queue": WHATSAPP_QUEUE}
        for name in ("receive_whatsapp", "answer_on_whatsapp", "send_bot_message")
    },
    "tenants.tasks.back_up_platform": {"queue": MAINTENANCE_QUEUE},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("HALOPST_CELERY_EAGER", False)
CELERY_BEAT_SCHEDULER = "halopst.beat:ActiveSatkerScheduler"

AUTH_USER_MODEL = "core.User"
# `make test` sets this: PBKDF2's deliberate slowness was most of the suite's time, and the test
# servers it starts must read the hashes its users were made with. Never set it in production.
if env_bool("HALOPST_TEST_FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.MixedCharactersValidator"},
    {"NAME": "core.passwords.ServiceNameValidator"},
]
# Lockout (django-axes), persisted in the database: after AXES_FAILURE_LIMIT failed logins, from
# any addresses, an account is locked for an hour or until an admin unlocks it
# (/pengaturan/akun-terkunci/). A fast guesser meets core.ratelimit first (10 failures per
# 5 minutes per account); the lockout stops the slow one that stays under it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("HALOPST_LOCKOUT_FAILURES", "20"))
AXES_COOLOFF_TIME = timedelta(hours=1)
# The account alone: a campus address is never locked for its students' typos (core.ratelimit
# slows an address that guesses many accounts, far above what a campus mistypes).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "core.ratelimit.lockout_username"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
# Two-factor (django-otp): the name an authenticator app shows beside the account. After a wrong
# code the next try waits 1, 2, 4… seconds (OTP_*_THROTTLE_FACTOR × 2^(failures−1)).
OTP_TOTP_ISSUER = "HaloPST"
# axes looks for its own middleware by name; ours is its subclass (core.middleware.LockoutMiddleware).
# W006 asks for the address among the lockout parameters: a campus NAT must not be locked out,
# and core.ratelimit already counts every address's failures (HALOPST_RATE_LIMITS["login"]).
SILENCED_SYSTEM_CHECKS = ["axes.W002", "axes.W006"]
# Proxies in front of the web processes (addresses or networks): behind them the client's
# address is read from X-Forwarded-For (core.ratelimit.client_ip), for rate limits and lockouts.
HALOPST_TRUSTED_PROXIES = [
    ipaddress.ip_network(item.strip(), strict=False)
    for item in os.environ.get("HALOPST_TRUSTED_PROXIES", "").split(",")
    if item.strip()
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Where each role starts after logging in without a `next` (core.views.LoginView): officers and
# satker admins at the requests waiting for them, province and national admins at the console.
HALOPST_START_PAGE_BY_ROLE = {
    "officer": "booking-inbox",
    "satker_admin": "booking-inbox",
    "province_admin": "console",
    "national_admin": "console",
}
LOGOUT_REDIRECT_URL = "home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Cookies travel over TLS only, wherever TLS is there (production); `make run` serves plain http
# on one machine and turns this off.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("HALOPST_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_HTTPONLY = False  # the AIDA chat reads it to post questions
# Behind nginx (deploy/nginx.conf), which terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("HALOPST_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (pages, Swagger UI through its split view): every script
# and stylesheet is a file of our own origin. Sockets go to the same host ('self' covers ws/wss).
HALOPST_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Cookies stay host-only (no SESSION_COOKIE_DOMAIN): a satker's session never travels to another.

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("HALOPST_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "core" / "static"]
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
# Collected files are served compressed (gzip, made once by collectstatic; Brotli too where the
# brotli package is installed).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "halopst.storage.StaticFiles"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("HALOPST_MEDIA_ROOT", BASE_DIR / "media"))
# Behind nginx (deploy/) Django checks a file is the host's satker's and nginx sends it
# (X-Accel-Redirect); without nginx (debug, make run's front door) Django sends it itself.
MEDIA_X_ACCEL = env_bool("HALOPST_MEDIA_X_ACCEL", not DEBUG)
# The nightly backup sets (tenants.backups): where, and how many nights are kept. Unset: no
# nightly backup (a development machine).
BACKUP_DIR = Path(os.environ["HALOPST_BACKUP_DIR"]) if os.environ.get("HALOPST_BACKUP_DIR") else None
BACKUP_KEEP = int(os.environ.get("HALOPST_BACKUP_KEEP", "14"))

EMAIL_BACKEND = os.environ.get("HALOPST_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("HALOPST_FROM_EMAIL", "HaloPST <noreply@halopst.local>")

# --- Notification providers (realtime/) ---------------------------------------------------
# Without a SendGrid key, e-mail goes through EMAIL_BACKEND (the console in development).
HALOPST_SENDGRID_API_KEY = os.environ.get("HALOPST_SENDGRID_API_KEY", "")
HALOPST_SENDGRID_API_HOST = os.environ.get("HALOPST_SENDGRID_API_HOST", "https://api.sendgrid.com")
HALOPST_SENDGRID_FROM = os.environ.get("HALOPST_SENDGRID_FROM", "noreply@halopst.local")
# Base64 public key of the signed event webhook (SendGrid: Mail Settings → Event Webhook).
HALOPST_SENDGRID_WEBHOOK_PUBLIC_KEY = os.environ.get("HALOPST_SENDGRID_WEBHOOK_PUBLIC_KEY", "")
# WhatsApp Cloud API; the channel is off while the token is empty.
HALOPST_WHATSAPP_TOKEN = os.environ.get("HALOPST_WHATSAPP_TOKEN", "")
HALOPST_WHATSAPP_BASE_URL = os.environ.get("HALOPST_WHATSAPP_BASE_URL", "https://graph.facebook.com")
HALOPST_WHATSAPP_API_VERSION = os.environ.get("HALOPST_WHATSAPP_API_VERSION", "v21.0")
HALOPST_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("HALOPST_WHATSAPP_PHONE_NUMBER_ID", "")
# A pre-approved UTILITY template with two body parameters: the title and the message.
HALOPST_WHATSAPP_TEMPLATE = os.environ.get("HALOPST_WHATSAPP_TEMPLATE", "halopst_pemberitahuan")
HALOPST_WHATSAPP_APP_SECRET = os.environ.get("HALOPST_WHATSAPP_APP_SECRET", "")
HALOPST_WHATSAPP_VERIFY_TOKEN = os.environ.get("HALOPST_WHATSAPP_VERIFY_TOKEN", "")
# Web Push (VAPID): the channel is off while the private key is empty. The private key is the
# PEM that py_vapid writes, the public key its base64url form for the browsers' subscribe call.
HALOPST_VAPID_PRIVATE_KEY = os.environ.get("HALOPST_VAPID_PRIVATE_KEY", "")
HALOPST_VAPID_PUBLIC_KEY = os.environ.get("HALOPST_VAPID_PUBLIC_KEY", "")
HALOPST_VAPID_SUBJECT = os.environ.get("HALOPST_VAPID_SUBJECT", "mailto:pst@bps.go.id")
# Origins a subscription's endpoint may have: the browsers' push services. The worker POSTs to
# the endpoint a browser gives, so anything else (an address inside the network) is refused.
HALOPST_PUSH_SERVICES = [
    origin
    for origin in os.environ.get(
        "HALOPST_PUSH_SERVICES",
        "https://fcm.googleapis.com,https://updates.push.services.mozilla.com,https://web.push.apple.com,"
        "https://*.notify.windows.com",
    ).split(",")
    if origin
]
HALOPST_PROVIDER_TIMEOUT = float(os.environ.get("HALOPST_PROVIDER_TIMEOUT", "10"))
# Delivery retries: exponential backoff with jitter, at most this many attempts.
HALOPST_DELIVERY_MAX_ATTEMPTS = int(os.environ.get("HALOPST_DELIVERY_MAX_ATTEMPTS", "8"))
HALOPST_DELIVERY_BACKOFF_SECONDS = float(os.environ.get("HALOPST_DELIVERY_BACKOFF_SECONDS", "30"))
# A delivery claimed this long ago whose worker no longer holds its row lock was lost with that worker.
HALOPST_DELIVERY_STALE_SECONDS = float(os.environ.get("HALOPST_DELIVERY_STALE_SECONDS", "300"))
# A send that got no answer (the provider may have taken it) waits this long for the provider's
# status event before it is sent again.
HALOPST_DELIVERY_CONFIRM_SECONDS = float(os.environ.get("HALOPST_DELIVERY_CONFIRM_SECONDS", "900"))

# --- BPS WebAPI (statdata.webapi) -----------------------------------------------------------
HALOPST_BPS_WEBAPI_KEY = os.environ.get("HALOPST_BPS_WEBAPI_KEY", "")
HALOPST_BPS_WEBAPI_BASE_URL = os.environ.get("HALOPST_BPS_WEBAPI_BASE_URL", "https://webapi.bps.go.id")
HALOPST_BPS_WEBAPI_TIMEOUT = float(os.environ.get("HALOPST_BPS_WEBAPI_TIMEOUT", "20"))
HALOPST_BPS_WEBAPI_RETRIES = int(os.environ.get("HALOPST_BPS_WEBAPI_RETRIES", "2"))

# --- AIDA (Gemini through google-genai) ------------------------------------------------------
HALOPST_GEMINI_API_KEY = os.environ.get("HALOPST_GEMINI_API_KEY", "")
# The 2.5 models were shut down on 1 December 2026: a current GA Flash of the 3.x family.
HALOPST_GEMINI_MODEL = os.environ.get("HALOPST_GEMINI_MODEL", "gemini-3-flash")
# Empty: Google's endpoint. Tests point it at a fake server on 127.0.0.1.
HALOPST_GEMINI_BASE_URL = os.environ.get("HALOPST_GEMINI_BASE_URL", "")
HALOPST_GEMINI_API_VERSION = os.environ.get("HALOPST_GEMINI_API_VERSION", "v1beta")
HALOPST_GEMINI_TIMEOUT = float(os.environ.get("HALOPST_GEMINI_TIMEOUT", "30"))
HALOPST_GEMINI_RETRIES = int(os.environ.get("HALOPST_GEMINI_RETRIES", "2"))
HALOPST_GEMINI_MAX_RETRY_WAIT = float(os.environ.get("HALOPST_GEMINI_MAX_RETRY_WAIT", "10"))
HALOPST_GEMINI_MAX_OUTPUT_TOKENS = int(os.environ.get("HALOPST_GEMINI_MAX_OUTPUT_TOKENS", "1024"))
# Gemini 3 takes a thinking level, not a token budget. Thinking tokens are charged
# (totalTokenCount includes them): "minimal" keeps them near zero, and the quota reserves
# HALOPST_GEMINI_THINKING_ALLOWANCE tokens per call for them.
HALOPST_GEMINI_THINKING_LEVEL = os.environ.get("HALOPST_GEMINI_THINKING_LEVEL", "minimal")
HALOPST_GEMINI_THINKING_ALLOWANCE = int(os.environ.get("HALOPST_GEMINI_THINKING_ALLOWANCE", "512"))
# Knowledge entries are also ranked by meaning where PostgreSQL has pgvector (aida.embeddings):
# gemini-embedding-001 at shared_knowledge.vectors.DIMENSIONS. A question waits at most
# HALOPST_GEMINI_EMBEDDING_TIMEOUT seconds for its vector, then is searched by its words alone.
HALOPST_GEMINI_EMBEDDING_MODEL = os.environ.get("HALOPST_GEMINI_EMBEDDING_MODEL", "gemini-embedding-001")
HALOPST_GEMINI_EMBEDDING_TIMEOUT = float(os.environ.get("HALOPST_GEMINI_EMBEDDING_TIMEOUT", "2"))
# Below this cosine similarity an entry does not answer the question by meaning. A starting
# point for gemini-embedding-001, whose unrelated texts score near 0.5: calibrate it on real
# questions (bench/retrieval.py prints the hits and their similarities).
HALOPST_AIDA_MIN_SIMILARITY = float(os.environ.get("HALOPST_AIDA_MIN_SIMILARITY", "0.65"))
# Off: by words alone even where pgvector is installed (until the threshold is calibrated, say).
HALOPST_AIDA_SEARCH_BY_MEANING = env_bool("HALOPST_AIDA_SEARCH_BY_MEANING", True)
# AIDA questions per hour, per IP address and per account (anonymous visitors: per session).
# AIDA conversations are anonymised after this many days (UU PDP: keep no longer than needed).
HALOPST_AIDA_RETENTION_DAYS = int(os.environ.get("HALOPST_AIDA_RETENTION_DAYS", "365"))
# WhatsApp contacts (people without an account, who cannot delete themselves) are forgotten
# this many days after their last message once their conversations are closed.
HALOPST_WHATSAPP_RETENTION_DAYS = int(os.environ.get("HALOPST_WHATSAPP_RETENTION_DAYS", "365"))
HALOPST_AIDA_QUESTIONS_PER_HOUR = int(os.environ.get("HALOPST_AIDA_QUESTIONS_PER_HOUR", "30"))
HALOPST_AIDA_QUESTIONS_PER_ADDRESS_HOUR = int(os.environ.get("HALOPST_AIDA_QUESTIONS_PER_ADDRESS_HOUR", "3000"))

# Abuse limits (core.ratelimit): name → scope → (requests, seconds). "person" is one account
# (or an anonymous visitor's session); "address" is one client address, which for students is
# often a whole campus behind one NAT. Sized against a campus of 5,000 students in its busiest
# hour (a lecturer sends a class of 300 to HaloPST): ~300 sign-ups, ~600 logins of which ~120
# mistyped, ~50 password resets, ~150 booking requests, ~1,500 AIDA questions. Every address
# allowance is at least twice that; a person's is what one human needs. Logins count failures
# only, so a campus that signs in all day spends nothing.
HALOPST_RATE_LIMITS = {
    "sign_up": {"address": (1000, 3600)},
    "login": {"person": (10, 300), "address": (1000, 3600)},
    "password_reset": {"person": (5, 3600), "address": (300, 3600)},
    "booking_request": {"person": (10, 3600), "address": (1000, 3600)},
    # A consumer writes many messages into a thread; a burst of hundreds is a script.
    "conversation_start": {"person": (10, 3600), "address": (1000, 3600)},
    "conversation_message": {"person": (120, 3600), "address": (3000, 3600)},
    "aida_question": {
        "person": (HALOPST_AIDA_QUESTIONS_PER_HOUR, 3600),
        "address": (HALOPST_AIDA_QUESTIONS_PER_ADDRESS_HOUR, 3600),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HaloPST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ConsultationStatusEnum": "booking.models.Status"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "halopst.openapi.add_error_responses"],
}

# JSON lines for the log collector, each with the request id that follows a request into its
# tasks; HALOPST_LOG_FORMAT=text for reading in a terminal.
LOG_FORMAT = os.environ.get("HALOPST_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HALOPST_LOG_LEVEL", "INFO")},
    "loggers": {
        "django_tenants": {"level": "WARNING"},
        # httpx logs every URL at INFO, and BPS WebAPI URLs carry the key in their path.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},  # google-genai's fork of httpx
        "google_genai": {"level": "WARNING"},
        # axes logs every attempt at INFO; lockouts are in the database and on the unlock page.
        "axes": {"level": "WARNING"},
    },
}

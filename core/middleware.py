"""Middleware of our own: security headers on every response, and requests PostgreSQL cannot take."""

from axes.middleware import AxesMiddleware
from django.conf import settings

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.HALOPST_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a wrong method (GET on a POST-only page) with a bare 405 and no handler to
    style it: give it the page (or, under /api/, the JSON) every other error gets, keeping Allow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            from core.views import method_not_allowed

            page = method_not_allowed(request)
            if "Allow" in response:
                page["Allow"] = response["Allow"]
            return page
        return response


class RejectNullBytesMiddleware:
    """PostgreSQL cannot store or compare a NUL character. Form and serializer fields already
    refuse it (Django's and DRF's CharField validators), but views read the path and query
    parameters directly (`?keahlian=`, `?q=`): a NUL there is answered 400 here instead of
    failing as a 500 in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            from core.views import bad_request

            return bad_request(request)
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Admins (satker, province, national) must confirm a TOTP code once per session before
    any page but the code page, logout and static files. Runs after django-otp's
    OTPMiddleware, which tells whether this session's user was verified."""

    OPEN_PREFIXES = ("/akun/2fa/", "/akun/keluar/", "/static/", "/tema.css", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.services import needs_two_factor

        if (
            needs_two_factor(request.user)
            and not request.user.is_verified()
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse
                from django.utils.translation import gettext as _

                return JsonResponse({"detail": _("Confirm your two-factor code first.")}, status=403)
            from django.shortcuts import redirect

            return redirect(f"/akun/2fa/?next={request.get_full_path()}")
        return self.get_response(request)


class LockoutMiddleware(AxesMiddleware):
    """django-axes' middleware, run synchronously like the rest of the stack. Left
    async-capable as the innermost middleware, it made Django hop from a worker thread back to
    the event loop in the middle of every request, holding a database connection while the
    loop was busy: under 300 simulated users, pooled connections ran out (bench/load.py)."""

    async_capable = False

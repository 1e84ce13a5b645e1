"""Middleware of our own: security headers on every response, and requests PostgreSQL cannot take."""

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


class RejectNullBytesMiddleware:
    """PostgreSQL cannot store or compare a NUL character. Form and serializer fields already
    refuse it (Django's and DRF's CharField validators), but views read the path and query
    parameters directly (`?keahlian=`, `?q=`): a NUL there is answered 400 here instead of
    failing as a 500 in the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") \
                or any("\x00" in value for values in request.GET.lists() for value in values[1]):
            from core.views import bad_request

            return bad_request(request)
        return self.get_response(request)

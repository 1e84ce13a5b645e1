"""Host routing: each request runs in the schema of the satker its Host names."""

import zoneinfo

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.template.response import TemplateResponse
from django.utils import timezone
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.selectors import satker_for_host


class SatkerMiddleware(TenantMainMiddleware):
    """django-tenants' routing with a cached lookup and friendly pages for unknown or
    suspended satkers. Those pages name no other satker."""

    def process_request(self, request):
        connection.set_schema_to_public()
        try:
            host = self.hostname_from_request(request)
        except DisallowedHost:
            return _render_status(request, "tenants/unknown_host.html", 404)
        satker = satker_for_host(host)
        if satker is None:
            return _render_status(request, "tenants/unknown_host.html", 404)
        if not satker.is_active:
            return _render_status(request, "tenants/suspended.html", 403, {"suspended": satker})
        satker.domain_url = host
        request.tenant = satker
        connection.set_tenant(satker)
        self.setup_url_routing(request)
        return None


def _render_status(request, template, status, context=None):
    response = TemplateResponse(request, template, context or {}, status=status)
    return response.render()


class SatkerTimezoneMiddleware:
    """Times on a satker's pages are shown in its own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        satker = getattr(request, "tenant", None)
        if satker is not None:
            timezone.activate(zoneinfo.ZoneInfo(satker.timezone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

from django.conf import settings

from tenants.models import site_url


def satker(request):
    """The satker whose site this is, for branding every page."""
    current = getattr(request, "tenant", None)
    return {
        "satker": current,
        "base_domain": settings.HALOPST_BASE_DOMAIN,
        "portal_url": site_url(settings.HALOPST_BASE_DOMAIN),
    }

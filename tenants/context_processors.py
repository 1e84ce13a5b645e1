from django.conf import settings


def satker(request):
    """The satker whose site this is, for branding every page."""
    current = getattr(request, "tenant", None)
    return {"satker": current, "base_domain": settings.HALOPST_BASE_DOMAIN}

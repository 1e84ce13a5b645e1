from django.db import connection
from django.utils.functional import SimpleLazyObject
from django_tenants.utils import tenant_context

from core.services import needs_two_factor


def unread_notifications(request):
    """The bell's starting number on satker pages (one count query, only if a page shows it)."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or tenant is None or tenant.is_public or not user.is_authenticated:
        return {}
    if needs_two_factor(user) and not user.is_verified():
        return {}  # its socket is refused until the code is given: no bell to open it
    from realtime.services import unread_count

    def count():
        # In the request's schema even on another thread: ASGI servers render error pages on a
        # worker thread whose connection is still on public (every 403 was once a 500 there).
        # Only then is the schema switched: a switch costs two SET search_path on every page.
        if connection.schema_name == tenant.schema_name:
            return unread_count(user)
        with tenant_context(tenant):
            return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}

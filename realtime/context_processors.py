from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """The bell's starting number on satker pages (one count query, only if a page shows it)."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    if user is None or tenant is None or tenant.is_public or not user.is_authenticated:
        return {}
    from realtime.services import unread_count

    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}

"""Notification pages: the list, marking read, the satker admin's delivery log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.models import Role
from realtime import selectors, services
from realtime.models import Delivery


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("halaman"))
    shown = [(item, item.in_language(request.LANGUAGE_CODE)) for item in page]
    # The phone-notification switch, when Web Push is configured (its public key is for the browser).
    push_key = settings.HALOPST_VAPID_PUBLIC_KEY if settings.HALOPST_VAPID_PRIVATE_KEY else ""
    return render(request, "realtime/notifications.html", {"page": page, "shown": shown, "push_key": push_key})


@login_required
@require_POST
def mark_read(request):
    if request.POST.get("all"):
        services.mark_all_read(request.user)
    else:
        ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
        services.mark_read(request.user, ids)
    next_url = request.POST.get("next", "")
    return redirect(next_url if next_url.startswith("/") and not next_url.startswith("//") else "notifications")


@login_required
def delivery_log(request):
    if request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only satker admins see the delivery log."))
    page = Paginator(selectors.delivery_log(), 50).get_page(request.GET.get("halaman"))
    return render(request, "realtime/delivery_log.html", {"page": page})


@login_required
@require_POST
def retry_delivery(request, pk):
    if request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only satker admins retry deliveries."))
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        services.retry_delivery(delivery, actor=request.user)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("delivery-log")

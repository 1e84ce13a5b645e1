"""Notification pages: the list, marking read, the satker admin's delivery log, topics to follow
and announcements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.audit import record
from core.errors import Conflict
from booking.models import ExpertiseTag
from core.models import Role
from core.views import form_status, submit_form
from realtime import selectors, services
from realtime.forms import AnnouncementForm
from realtime.models import Delivery


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("halaman"))
    return render(request, "realtime/notifications.html", {"page": page})


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
        with transaction.atomic():
            services.retry_delivery(delivery)
            record(request.user, "delivery.retry", str(delivery.pk), channel=delivery.channel)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The delivery will be sent again."))
    return redirect("delivery-log")


# --- Topics and announcements -------------------------------------------------------------

def topics(request):
    """The satker's topics with their latest announcements; signed-in users follow or unfollow."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        topic = get_object_or_404(ExpertiseTag, pk=request.POST.get("topic") or 0)
        if request.POST.get("follow"):
            services.follow_topic(request.user, topic)
            messages.success(request, _("You follow “%(topic)s”.") % {"topic": topic.label(request.LANGUAGE_CODE)})
        else:
            services.unfollow_topic(request.user, topic)
            messages.success(request, _("You no longer follow “%(topic)s”.") % {"topic": topic.label(request.LANGUAGE_CODE)})
        return redirect("topics")
    return render(request, "realtime/topics.html", {
        "topics": selectors.active_topics(), "followed": selectors.followed_topic_ids(request.user),
        "announcements": selectors.announcements()[:20],
    })


def announcement_detail(request, pk):
    return render(request, "realtime/announcement.html", {"announcement": get_object_or_404(selectors.announcements(), pk=pk)})


@login_required
def manage_announcements(request):
    if request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only satker admins publish announcements."))
    form = AnnouncementForm(request.POST or None)
    done = submit_form(request, form, lambda data: services.publish_announcement(request.user, **data),
                       success=_("Published. Followers of the topic are being notified."),
                       next_url="manage-announcements", audit="announcement.publish")
    return done or render(request, "realtime/manage_announcements.html", {
        "form": form, "announcements": selectors.announcements()[:50],
    }, status=form_status(form))

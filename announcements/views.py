"""Topics to follow and the satker's announcements."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from announcements import selectors, services
from announcements.forms import AnnouncementForm
from booking.selectors import active_tags
from core.models import Role
from core.pages import form_status, submit_form


def topics(request):
    """The satker's topics with their latest announcements; signed-in users follow or unfollow."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        topic = get_object_or_404(active_tags(), pk=request.POST.get("topic") or 0)
        if request.POST.get("follow"):
            services.follow_topic(request.user, topic)
            messages.success(request, _("You follow “%(topic)s”.") % {"topic": topic.label(request.LANGUAGE_CODE)})
        else:
            services.unfollow_topic(request.user, topic)
            messages.success(
                request, _("You no longer follow “%(topic)s”.") % {"topic": topic.label(request.LANGUAGE_CODE)}
            )
        return redirect("topics")
    return render(
        request,
        "announcements/topics.html",
        {
            "topics": active_tags(),
            "followed": selectors.followed_topic_ids(request.user),
            "announcements": selectors.announcements()[:20],
        },
    )


def announcement_detail(request, pk):
    return render(
        request,
        "announcements/announcement.html",
        {"announcement": get_object_or_404(selectors.announcements(), pk=pk)},
    )


@login_required
def manage_announcements(request):
    if request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only satker admins publish announcements."))
    form = AnnouncementForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.publish_announcement(request.user, **data),
        success=_("Published. Followers of the topic are being notified."),
        next_url="manage-announcements",
    )
    return done or render(
        request,
        "announcements/manage_announcements.html",
        {
            "form": form,
            "announcements": selectors.announcements()[:50],
        },
        status=form_status(form),
    )

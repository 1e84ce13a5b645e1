"""Booking pages. Thin: reads through selectors, every change through booking.services."""

from datetime import timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from booking import selectors, services
from booking.availability import closed_days, free_slots
from booking.calendar import consultation_ics
from booking.forms import (
    ApproveForm,
    BookingSettingsForm,
    ClosedDayForm,
    DateOverrideForm,
    ExpertiseFormSet,
    FeedbackForm,
    LeaveForm,
    NoShowForm,
    OfficerProfileForm,
    ReasonForm,
    RequestForm,
    RescheduleForm,
)
from booking.models import Action, BookingSettings, ClosedDay, ExpertiseTag, OfficerProfile, Status
from booking.services import SlotTaken
from core.access import require_role
from core.errors import Conflict
from core.forms import InviteForm
from core.models import Role, User
from core.pages import add_service_errors, form_status, run_action, submit_form
from core.ratelimit import limit
from core.services import invite_user
from core.text import normalise_whatsapp_number

DAYS_SHOWN = 7


def _zone(request) -> ZoneInfo:
    return ZoneInfo(request.tenant.timezone)


# --- Consumers ------------------------------------------------------------------------


# How far ahead an officer card's "next free" and the "propose another time" choices look.
DAYS_AHEAD = 14


def _free_slots_ahead(request, officers, *, exclude_consultation=None):
    """Free slots per officer id from today for DAYS_AHEAD days, in the satker's zone."""
    zone, now = _zone(request), timezone.now()
    today = now.astimezone(zone).date()
    last = today + timedelta(days=DAYS_AHEAD - 1)
    return free_slots(officers, zone=zone, now=now, first=today, last=last, exclude_consultation=exclude_consultation)


def officer_directory(request):
    slug = request.GET.get("keahlian", "")
    tag = ExpertiseTag.objects.filter(slug=slug, is_active=True).first() if slug else None
    officers = list(selectors.officer_directory(tag.slug if tag else None))
    free = _free_slots_ahead(request, officers)
    for officer in officers:
        officer.next_free = min(free[officer.pk], default=None)
    return render(
        request,
        "booking/directory.html",
        {
            # Only what can be booked; a tag nobody covers (reached by an old link) says so.
            "tags": selectors.staffed_tags(),
            "selected": tag,
            "officers": officers,
            "draft": request.session.get("booking_draft"),
        },
    )


def _week_bounds(request):
    try:
        week = max(0, min(int(request.GET.get("minggu", 0)), 52))
    except ValueError:
        week = 0
    today = timezone.now().astimezone(_zone(request)).date()
    first = today + timedelta(days=week * DAYS_SHOWN)
    return week, first, first + timedelta(days=DAYS_SHOWN - 1)


def _days(slots, first, last, zone):
    """[(date, [slot, …]), …] for every date from first to last, empty dates included."""
    by_day = {
        day: list(items) for day, items in groupby(sorted(slots), key=lambda s: s.starts_at.astimezone(zone).date())
    }
    days, day = [], first
    while day <= last:
        days.append((day, by_day.get(day, [])))
        day += timedelta(days=1)
    return days


def _keep_need(request) -> None:
    """A need typed on the portal ("?topik=inflasi Surabaya") becomes the request's topic."""
    need = request.GET.get("topik", "").strip()
    if need:
        request.session["booking_draft"] = {"topic": need[:200], "data_need": ""}


def officer_slots(request, officer_id):
    officer = get_object_or_404(selectors.officer_directory(), pk=officer_id)
    _keep_need(request)
    week, first, last = _week_bounds(request)
    zone = _zone(request)
    slots = free_slots([officer], zone=zone, now=timezone.now(), first=first, last=last)[officer.pk]
    return render(
        request,
        "booking/slots.html",
        {
            "officer": officer,
            "days": _days(slots, first, last, zone),
            "any_free": bool(slots),
            "week": week,
            "request_url": reverse("booking-request") + f"?petugas={officer.pk}&mulai=",
        },
    )


def expertise_slots(request, slug):
    """Slots of "any officer with this expertise": every time at least one of them is free."""
    tag = get_object_or_404(ExpertiseTag, slug=slug, is_active=True)
    _keep_need(request)
    officers = list(selectors.officer_directory(slug))
    if not officers:  # no week of "no free time": the directory says who else can help
        return redirect(f"{reverse('booking-directory')}?keahlian={tag.slug}")
    week, first, last = _week_bounds(request)
    zone = _zone(request)
    per_officer = free_slots(officers, zone=zone, now=timezone.now(), first=first, last=last)
    union = sorted({slot for slots in per_officer.values() for slot in slots})
    return render(
        request,
        "booking/slots.html",
        {
            "tag": tag,
            "days": _days(union, first, last, zone),
            "any_free": bool(union),
            "week": week,
            "request_url": reverse("booking-request") + f"?keahlian={tag.slug}&mulai=",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@limit("booking_request")
def request_consultation(request):
    require_role(request, Role.CONSUMER)
    officer = (
        OfficerProfile.objects.filter(pk=request.GET.get("petugas") or 0, is_active=True).select_related("user").first()
    )
    tag = ExpertiseTag.objects.filter(slug=request.GET.get("keahlian") or "", is_active=True).first()
    starts_at = parse_datetime(request.GET.get("mulai", "").replace(" ", "+"))
    if (officer is None and tag is None) or starts_at is None:
        messages.error(request, _("Choose an officer and a time first."))
        return redirect("booking-directory")
    draft = request.session.get("booking_draft", {})  # left by AIDA's "talk to an officer"
    form = RequestForm(
        request.POST or None,
        initial={
            "starts_at": starts_at,
            "topic": draft.get("topic", "")[:200],
            "data_need": draft.get("data_need", "")[:4000],
        },
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.request_consultation(
                consumer=request.user, officer=officer if tag is None else None, expertise=tag, **data
            )
        except SlotTaken as error:
            messages.error(request, str(error))
            return redirect(
                reverse("booking-officer-slots", args=[officer.pk])
                if tag is None
                else reverse("booking-expertise-slots", args=[tag.slug])
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your request has been sent. The officer will confirm it soon."))
            return redirect("booking-detail", pk=consultation.pk)
    if form.errors:
        status = 400
    ends_at = starts_at + timedelta(minutes=BookingSettings.current().slot_minutes)
    return render(
        request,
        "booking/request_form.html",
        {"form": form, "officer": officer, "tag": tag, "starts_at": starts_at, "ends_at": ends_at},
        status=status,
    )


@login_required
def my_consultations(request):
    if request.user.role in (Role.OFFICER, Role.SATKER_ADMIN):
        return redirect("booking-inbox")
    return render(
        request, "booking/my_consultations.html", {"consultations": selectors.visible_consultations(request.user)}
    )


@login_required
def inbox(request):
    require_role(request, Role.OFFICER, Role.SATKER_ADMIN)
    return render(
        request, "booking/inbox.html", {"consultations": selectors.inbox(request.user), "now": timezone.now()}
    )


def _detail_context(request, consultation, **forms):
    user = request.user
    officer_side = user.role == Role.SATKER_ADMIN or (
        user.role == Role.OFFICER and consultation.officer.user_id == user.pk
    )
    context = {
        "consultation": consultation,
        "events": consultation.events.select_related("actor"),
        "officer_side": officer_side,
        "consumer_side": consultation.consumer_id == user.pk,
        "started": consultation.starts_at <= timezone.now(),
        "replaced_starts_at": selectors.time_before_proposal(consultation),
        # One form object per action and ids of its own: a page with several forms has no id twice.
        **{
            f"{action}_form": forms.get(action) or form_class(auto_id=f"id_{action}_%s")
            for action, (form_class, _call) in ACTION_FORMS.items()
            if form_class is not None
        },
    }
    if officer_side and consultation.status in (Status.REQUESTED, Status.APPROVED):
        officer = consultation.officer
        slots = _free_slots_ahead(request, [officer], exclude_consultation=consultation.pk)[officer.pk]
        context["propose_reschedule_form"].offer(
            [slot for slot in slots if slot.starts_at != consultation.starts_at], _zone(request)
        )
    if officer_side:
        context["consumer_whatsapp"] = normalise_whatsapp_number(consultation.consumer.whatsapp)
    return context


@login_required
def consultation_detail(request, pk):
    consultation = selectors.consultation_for(request.user, pk)
    return render(request, "booking/detail.html", _detail_context(request, consultation))


ACTION_FORMS = {
    "approve": (ApproveForm, lambda pk, user, data: services.approve(pk, user, **data)),
    "decline": (ReasonForm, lambda pk, user, data: services.decline(pk, user, **data)),
    "propose_reschedule": (RescheduleForm, lambda pk, user, data: services.propose_reschedule(pk, user, **data)),
    "accept_reschedule": (None, lambda pk, user, data: services.accept_reschedule(pk, user)),
    "decline_reschedule": (ReasonForm, lambda pk, user, data: services.decline_reschedule(pk, user, **data)),
    "cancel": (ReasonForm, lambda pk, user, data: services.cancel(pk, user, **data)),
    "complete": (None, lambda pk, user, data: services.complete(pk, user)),
    "no_show": (NoShowForm, lambda pk, user, data: services.mark_no_show(pk, user, **data)),
}


@login_required
@require_POST
def consultation_action(request, pk, action):
    consultation = selectors.consultation_for(request.user, pk)
    if action not in ACTION_FORMS:
        return render(request, "404.html", status=404)
    form_class, call = ACTION_FORMS[action]
    form = form_class(request.POST, auto_id=f"id_{action}_%s") if form_class else None
    status = run_action(request, form, lambda data: call(consultation.pk, request.user, data))
    if status is None:
        messages.success(request, _("Saved."))
        return redirect("booking-detail", pk=consultation.pk)
    consultation.refresh_from_db()
    forms = {action: form} if form else {}
    return render(request, "booking/detail.html", _detail_context(request, consultation, **forms), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request, pk):
    consultation = selectors.consultation_for(request.user, pk)
    if consultation.consumer_id != request.user.pk:
        raise PermissionDenied(_("Only the consumer rates a consultation."))
    if not services.may(consultation, Action.RATE):
        # Say so before the survey, not after nine questions answered on a phone.
        return render(
            request,
            "booking/feedback.html",
            {"consultation": consultation, "form": None},
            status=409 if request.method == "POST" else 200,
        )
    form = FeedbackForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.rate(
                consultation.pk,
                request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                survey=form.survey(),
            )
        except Conflict as error:
            messages.error(request, str(error))
            status = 409
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("booking-detail", pk=consultation.pk)
    return render(
        request,
        "booking/feedback.html",
        {"consultation": consultation, "form": form},
        status=400 if form.errors else status,
    )


@login_required
def calendar_file(request, pk):
    consultation = selectors.consultation_for(request.user, pk)
    body = consultation_ics(consultation, request.tenant.title, request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="konsultasi-{consultation.pk}.ics"'
    return response


# --- Satker admins ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage_officers(request):
    require_role(request, Role.SATKER_ADMIN)
    invite_form = InviteForm(request.POST or None)
    done = submit_form(
        request,
        invite_form,
        lambda data: invite_user(role=Role.OFFICER, actor=request.user, **data),
        success=_("Invitation sent."),
        next_url="booking-manage-officers",
    )
    officers = User.objects.filter(role=Role.OFFICER).select_related("officer_profile").order_by("full_name")
    return done or render(
        request,
        "booking/manage_officers.html",
        {"officers": officers, "invite_form": invite_form},
        status=form_status(invite_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_officer(request, user_id):
    """Profile, expertise and weekly hours of an officer; date overrides and leave below."""
    require_role(request, Role.SATKER_ADMIN)
    user = get_object_or_404(User, pk=user_id, role=Role.OFFICER)
    profile = OfficerProfile.objects.filter(user=user).first()
    initial = {"is_active": True}
    if profile is not None:
        initial = {
            "bio": profile.bio,
            "languages": profile.languages,
            "is_active": profile.is_active,
            "expertise": profile.expertise.all(),
            "weekly_hours": profile.weekly_hours.all(),
        }
    posted = request.POST.get("form", "profile") if request.method == "POST" else None
    form = OfficerProfileForm(
        request.POST if posted == "profile" else None, request.FILES if posted == "profile" else None, initial=initial
    )
    override_form = DateOverrideForm(request.POST if posted == "override" else None)
    leave_form = LeaveForm(request.POST if posted == "leave" else None)

    def save_profile(data):
        saved = services.save_officer_profile(
            user,
            bio=data["bio"],
            languages=data["languages"],
            is_active=data["is_active"],
            expertise=list(data["expertise"]),
            photo=data["photo"],
            actor=request.user,
        )
        services.set_weekly_hours(saved, data["weekly_hours"], actor=request.user)

    def for_profile(add):
        def action(data):
            if profile is None:
                raise ValidationError(_("Save the officer's profile first."))
            add(profile, actor=request.user, **data)

        return action

    here = reverse("booking-edit-officer", args=[user.pk])
    done = (
        submit_form(request, form, save_profile, success=_("Saved."), next_url=here)
        or submit_form(
            request, override_form, for_profile(services.add_date_override), success=_("Saved."), next_url=here
        )
        or submit_form(request, leave_form, for_profile(services.add_leave), success=_("Saved."), next_url=here)
    )
    if done:
        return done
    today = timezone.localdate()
    return render(
        request,
        "booking/edit_officer.html",
        {
            "officer_user": user,
            "profile": profile,
            "form": form,
            "override_form": override_form,
            "leave_form": leave_form,
            "overrides": profile.date_overrides.filter(date__gte=today) if profile else [],
            "leaves": profile.leaves.filter(end_date__gte=today) if profile else [],
        },
        status=form_status(form, override_form, leave_form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_expertise(request):
    """Add expertise tags, rename them or take them out of use: every tag in one form."""
    require_role(request, Role.SATKER_ADMIN)
    tags = ExpertiseTag.objects.all()
    initial = [
        {"tag": tag, "name": tag.name, "name_en": tag.name_en, "keywords": tag.keywords, "is_active": tag.is_active}
        for tag in tags
    ]
    formset = ExpertiseFormSet(request.POST or None, initial=initial)
    done = submit_form(
        request,
        formset,
        lambda _rows: services.save_expertise_tags(formset.changed(), actor=request.user),
        success=_("Saved."),
        next_url="booking-manage-expertise",
    )
    return done or render(
        request, "booking/manage_expertise.html", {"formset": formset}, status=400 if formset.is_bound else 200
    )


def _closed_days_ahead() -> list[dict]:
    """The coming year's closed days, the satker's own marked apart from the national calendar."""
    today = timezone.localdate()
    own = set(ClosedDay.objects.filter(date__gte=today).values_list("date", flat=True))
    closed = closed_days(today, today + timedelta(days=365))
    return [{"date": day, "name": name, "own": day in own} for day, name in sorted(closed.items())]


@login_required
@require_http_methods(["GET", "POST"])
def booking_rules(request):
    require_role(request, Role.SATKER_ADMIN)
    rules = BookingSettings.current()
    field_names = list(BookingSettingsForm.base_fields)
    is_rules = request.method == "POST" and "slot_minutes" in request.POST
    form = BookingSettingsForm(
        request.POST if is_rules else None, initial={name: getattr(rules, name) for name in field_names}
    )
    closed_form = ClosedDayForm(request.POST if request.method == "POST" and not is_rules else None)
    done = submit_form(
        request,
        form,
        lambda data: services.update_booking_settings(actor=request.user, **data),
        success=_("Saved."),
        next_url="booking-rules",
    ) or submit_form(
        request,
        closed_form,
        lambda data: services.add_closed_day(actor=request.user, **data),
        success=_("Saved."),
        next_url="booking-rules",
    )
    return done or render(
        request,
        "booking/rules.html",
        {
            "form": form,
            "closed_form": closed_form,
            "closed_days": _closed_days_ahead(),
        },
        status=form_status(form, closed_form),
    )


@login_required
def satisfaction(request):
    require_role(request, Role.SATKER_ADMIN)
    try:
        year = int(request.GET.get("tahun", timezone.now().year))
    except ValueError:
        year = timezone.now().year
    return render(request, "booking/satisfaction.html", {"index": selectors.satisfaction_index(year), "year": year})

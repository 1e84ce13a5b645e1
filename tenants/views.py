"""The portal home, the province console and command centre (public schema); the satker
dashboard and officer leaderboard (satker hosts)."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST
from django_tenants.utils import schema_context

from core.access import require_role
from core.models import Role
from core.services import invite_user
from aida.forms import QuotaForm
from billing_quota.selectors import usage_of
from billing_quota.services import set_limits
from core.audit import record
from core.views import add_service_errors, form_status, submit_form
from tenants import access, charts, exports, reports, rollups, services
from tenants.directory import search_directory
from tenants.forms import BrandingForm, InviteAdminForm, MonthForm, OnboardSatkerForm, PeriodForm
from tenants.models import Kind, Satker, Status
from tenants.selectors import provinces_visible_to, satkers_visible_to


def portal_home(request):
    """Active satkers grouped by province; a typed need also gets satker and officer
    suggestions from the public directory."""
    query = request.GET.get("q", "").strip()[:200]
    suggestions = search_directory(query) if query else []
    satkers = Satker.objects.filter(status=Status.ACTIVE).exclude(kind=Kind.NATIONAL).select_related("parent")
    if query:
        satkers = satkers.filter(Q(name__icontains=query) | Q(parent__name__icontains=query) | Q(code__startswith=query))
    satkers = sorted(satkers, key=lambda s: (s.code[:2], s.code))
    groups = [(code, list(members)) for code, members in groupby(satkers, key=lambda s: s.code[:2])]
    return render(request, "tenants/portal_home.html", {"groups": groups, "query": query, "suggestions": suggestions})


@login_required
def console(request):
    access.require_console_user(request)
    satkers = satkers_visible_to(request.user).order_by("code")
    return render(request, "tenants/console.html", {"satkers": satkers})


@login_required
@require_http_methods(["GET", "POST"])
def onboard(request):
    access.require_console_user(request)
    initial = {}
    if request.user.role == Role.PROVINCE_ADMIN:
        initial = {"kind": Kind.REGENCY, "timezone": request.user.managed_province.timezone}
    form = OnboardSatkerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = services.SatkerSpec(code=data["code"], kind=data["kind"], name=data["name"],
                                   subdomain=data["subdomain"], timezone=data["timezone"])
        try:
            access.check_may_onboard(request.user, spec)
            satker = services.onboard_satker(spec, actor=request.user, admin_email=data["admin_email"],
                                             admin_name=data["admin_name"], invited_by=request.user.email)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except services.OnboardingError as error:
            for field, field_messages in error.errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, _("%(name)s is ready at %(domain)s.") % {
                "name": satker.name, "domain": satker.get_primary_domain().domain})
            return redirect("console-satker", code=satker.code)
    return render(request, "tenants/onboard.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def satker_detail(request, code):
    access.require_console_user(request)
    return _detail_page(request, access.managed_satker(request.user, code), InviteAdminForm())


def _detail_page(request, satker, invite_form, quota_form=None, status=200):
    ledger = usage_of(satker)
    quota_form = quota_form or QuotaForm(initial={"plan": getattr(getattr(satker, "quota", None), "plan", "basic"),
                                                  "monthly_token_limit": ledger.token_limit,
                                                  "monthly_request_limit": ledger.request_limit})
    today = timezone.localdate()
    return render(request, "tenants/satker_detail.html", {
        "managed": satker, "invite_form": invite_form, "ledger": ledger, "quota_form": quota_form,
        "summary": reports.satker_summary(satker, today - timedelta(days=29), today),
        "board": reports.leaderboard(Satker.objects.filter(pk=satker.pk), today.replace(day=1)),
        "may_invite_province_admin": satker.kind == Kind.PROVINCE and request.user.role == Role.NATIONAL_ADMIN,
    }, status=status)


@login_required
@require_POST
def set_quota(request, code):
    """The province (or national) admin sets a satker's monthly AIDA limits."""
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    form = QuotaForm(request.POST)
    done = submit_form(request, form, lambda data: set_limits(satker, by=request.user.email, **data),
                       success=_("AIDA limits saved."), next_url=reverse("console-satker", args=[code]),
                       audit="quota.set", target=satker.code)
    return done or _detail_page(request, satker, InviteAdminForm(), quota_form=form, status=400)


@login_required
@require_POST
def set_status(request, code):
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    if satker.pk == request.user.managed_province_id:
        raise PermissionDenied(_("A province admin cannot suspend their own province."))
    with transaction.atomic():
        services.set_satker_status(satker, Status.SUSPENDED if satker.is_active else Status.ACTIVE)
        record(request.user, "satker.status", satker.code, status=satker.status)
    messages.success(request, _("Status of %(name)s is now: %(status)s.") % {"name": satker.name, "status": satker.get_status_display()})
    return redirect("console-satker", code=code)


@login_required
@require_POST
def invite_admin(request, code):
    """Invite a satker admin into the satker's schema, or (national admins) a province admin."""
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    form = InviteAdminForm(request.POST)
    as_province_admin = request.POST.get("role") == Role.PROVINCE_ADMIN
    if form.is_valid():
        try:
            if as_province_admin:
                if request.user.role != Role.NATIONAL_ADMIN:
                    raise PermissionDenied(_("Only national admins invite province admins."))
                services.invite_province_admin(satker, invited_by=request.user.email, **form.cleaned_data)
            else:
                with schema_context(satker.schema_name):
                    invite_user(role=Role.SATKER_ADMIN, invited_by=request.user.email, **form.cleaned_data)
            record(request.user, "admin.invite", satker.code, email=form.cleaned_data["email"],
                   role=Role.PROVINCE_ADMIN if as_province_admin else Role.SATKER_ADMIN)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _detail_page(request, satker, form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("console-satker", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def branding(request):
    """A satker admin sets the name, colour and logo their satker's pages show."""
    if request.tenant.is_public or request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only this satker's admins may change its branding."))
    satker = request.tenant
    form = BrandingForm(request.POST or None, request.FILES or None,
                        initial={"display_name": satker.display_name, "primary_color": satker.primary_color})
    done = submit_form(request, form, lambda data: services.update_branding(satker, **data),
                       success=_("Branding saved."), next_url="branding", audit="branding.update", target=satker.code)
    return done or render(request, "tenants/branding.html", {"form": form}, status=form_status(form))


@cache_control(public=True, max_age=86400)
def theme_css(request):
    """The satker's colour as a stylesheet (no inline style: the CSP forbids it). Versioned
    by the satker's last change in the page's link, so it may be cached for a day."""
    return HttpResponse(f":root {{ --brand: {request.tenant.primary_color}; }}\n", content_type="text/css")


# --- Command centre (portal) --------------------------------------------------------------

RANKING_LIMIT = 50

def _command_centre_scope(request):
    """The satkers this admin watches, narrowed to one province for national admins who ask."""
    satkers = satkers_visible_to(request.user)
    province = request.GET.get("provinsi", "")
    if province.isdigit() and len(province) == 2:
        satkers = satkers.filter(code__startswith=province)
    return satkers


@login_required
def command_centre(request):
    """Every satker of the admin's province (all provinces for national admins), live."""
    access.require_console_user(request)
    period = PeriodForm(request.GET, today=reports.newest_day())
    month = MonthForm(request.GET, today=timezone.localdate())
    if not period.is_valid() or not month.is_valid():
        return render(request, "tenants/command_centre.html", {"period": period, "month": month}, status=400)
    satkers = _command_centre_scope(request)
    rows = reports.command_centre_rows(satkers, period.cleaned_data["first"], period.cleaned_data["last"])
    sort = request.GET.get("urut", "ikm")
    national = request.user.role == Role.NATIONAL_ADMIN
    watching = request.GET.get("provinsi", "") if national else ""
    # The whole country: one line per province first; a province's satkers one click away.
    overview = national and not watching
    return render(request, "tenants/command_centre.html", {
        "period": period, "month": month, "rows": reports.province_rows(rows) if overview else rows,
        "ranking": reports.rank(rows, sort)[:RANKING_LIMIT] if overview else reports.rank(rows, sort),
        "ranking_limited": overview and len(rows) > RANKING_LIMIT, "sort": sort, "rankings": reports.RANKINGS,
        "board": reports.leaderboard(satkers, month.cleaned_data["month"]),
        "provinces": provinces_visible_to(request.user) if national else [], "watching": watching,
    })


# --- Satker dashboard and leaderboard (satker hosts) --------------------------------------

def _period_or_400(request):
    period = PeriodForm(request.GET, today=timezone.localdate())
    return period, period.is_valid()


EXPORT_FORMATS = {"csv": exports.as_csv, "xlsx": exports.as_xlsx}


@login_required
def dashboard(request):
    """How the satker's service is doing over a period: rollups of its own days only."""
    require_role(request, Role.SATKER_ADMIN)
    period, valid = _period_or_400(request)
    if not valid:
        return render(request, "tenants/dashboard.html", {"period": period}, status=400)
    summary = reports.satker_summary(request.tenant, period.cleaned_data["first"], period.cleaned_data["last"])
    return render(request, "tenants/dashboard.html", {
        "period": period, "summary": summary, "charts": charts.dashboard_charts(summary),
        "query": request.GET.urlencode(),
    })


@login_required
def dashboard_export(request, fmt):
    require_role(request, Role.SATKER_ADMIN)
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Downloads come as CSV or XLSX."))
    period, valid = _period_or_400(request)
    if not valid:
        return HttpResponse("; ".join(period.non_field_errors() or [_("Invalid period.")]), status=400,
                            content_type="text/plain; charset=utf-8")
    first, last = period.cleaned_data["first"], period.cleaned_data["last"]
    table = reports.day_table(reports.satker_summary(request.tenant, first, last))
    name = f"halopst-{request.tenant.subdomain}-{first:%Y%m%d}-{last:%Y%m%d}"
    content, content_type = EXPORT_FORMATS[fmt](table, title=request.tenant.name)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def officer_leaderboard(request):
    """The month's officers of this satker, best first, with the award and its formula."""
    require_role(request, Role.SATKER_ADMIN, Role.OFFICER)
    month = MonthForm(request.GET, today=timezone.localdate())
    if not month.is_valid():
        return render(request, "tenants/leaderboard.html", {"month": month}, status=400)
    return render(request, "tenants/leaderboard.html", {
        "month": month, "board": reports.leaderboard(Satker.objects.filter(pk=request.tenant.pk), month.cleaned_data["month"]),
        "formula": rollups.SCORE_RULES, "award_min": rollups.AWARD_MIN_COMPLETED,
    })

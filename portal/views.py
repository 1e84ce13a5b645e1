"""The portal's pages: the home page with the needs search, and the province/national console."""

from datetime import timedelta
from itertools import groupby
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing_quota.forms import QuotaForm
from billing_quota.selectors import usage_of
from billing_quota.services import set_limits
from core.forms import InviteForm
from core.models import Role
from core.pages import add_service_errors, submit_form
from core.services import portal_sign_in_token
from insights import reports
from portal.directory import search_directory
from portal.forms import OnboardSatkerForm
from tenants import access, services
from tenants.models import Kind, Satker, Status
from tenants.selectors import satkers_visible_to


@login_required
def sign_in_at_satker(request, code):
    """Signs the consumer's HaloPST account in at a satker: a one-time statement for that
    satker only, carried to its own host (sessions never travel between hosts)."""
    satker = get_object_or_404(Satker.objects.exclude(kind=Kind.NATIONAL), code=code, status=Status.ACTIVE)
    token = portal_sign_in_token(request.user, satker.code, request.GET.get("state", "")[:64])
    wanted = request.GET.get("next", "")
    query = urlencode({"token": token, **({"next": wanted} if wanted.startswith("/") else {})})
    return redirect(satker.url(reverse("from-portal", urlconf="halopst.urls_tenant")) + "?" + query)


def portal_home(request):
    """Active satkers grouped by province; a typed need also gets satker and officer
    suggestions from the public directory."""
    query = request.GET.get("q", "").strip()[:200]
    suggestions = search_directory(query) if query else []
    satkers = Satker.objects.filter(status=Status.ACTIVE).exclude(kind=Kind.NATIONAL).select_related("parent")
    if query:
        matching = satkers.filter(
            Q(name__icontains=query) | Q(parent__name__icontains=query) | Q(code__startswith=query)
        )
        # A search no office name matches ("ipm") still lists every office below its suggestions.
        satkers = list(matching) or satkers
    satkers = sorted(satkers, key=lambda s: (s.code[:2], s.code))
    groups = [(code, list(members)) for code, members in groupby(satkers, key=lambda s: s.code[:2])]
    return render(request, "portal/portal_home.html", {"groups": groups, "query": query, "suggestions": suggestions})


@login_required
def console(request):
    access.require_console_user(request)
    satkers = satkers_visible_to(request.user).order_by("code")
    return render(request, "portal/console.html", {"satkers": satkers})


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
        spec = services.SatkerSpec(
            code=data["code"],
            kind=data["kind"],
            name=data["name"],
            subdomain=data["subdomain"],
            timezone=data["timezone"],
        )
        try:
            access.check_may_onboard(request.user, spec)
            satker = services.onboard_satker(
                spec, actor=request.user, admin_email=data["admin_email"], admin_name=data["admin_name"]
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except services.OnboardingError as error:
            for field, field_messages in error.errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(
                request,
                _("%(name)s is ready at %(domain)s.")
                % {"name": satker.name, "domain": satker.get_primary_domain().domain},
            )
            return redirect("console-satker", code=satker.code)
    return render(request, "portal/onboard.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def satker_detail(request, code):
    access.require_console_user(request)
    return _detail_page(request, access.managed_satker(request.user, code), InviteForm())


def _detail_page(request, satker, invite_form, quota_form=None, status=200):
    ledger = usage_of(satker)
    quota_form = quota_form or QuotaForm(
        initial={
            "plan": getattr(getattr(satker, "quota", None), "plan", "basic"),
            "monthly_token_limit": ledger.token_limit,
            "monthly_request_limit": ledger.request_limit,
        }
    )
    today = timezone.localdate()
    return render(
        request,
        "portal/satker_detail.html",
        {
            "managed": satker,
            "invite_form": invite_form,
            "ledger": ledger,
            "quota_form": quota_form,
            "summary": reports.satker_summary(satker, today - timedelta(days=29), today),
            "board": reports.leaderboard(Satker.objects.filter(pk=satker.pk), today.replace(day=1)),
            "may_invite_province_admin": satker.kind == Kind.PROVINCE and request.user.role == Role.NATIONAL_ADMIN,
        },
        status=status,
    )


@login_required
@require_POST
def set_quota(request, code):
    """The province (or national) admin sets a satker's monthly AIDA limits."""
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    form = QuotaForm(request.POST)
    done = submit_form(
        request,
        form,
        lambda data: set_limits(satker, actor=request.user, **data),
        success=_("AIDA limits saved."),
        next_url=reverse("console-satker", args=[code]),
    )
    return done or _detail_page(request, satker, InviteForm(), quota_form=form, status=400)


@login_required
@require_POST
def set_status(request, code):
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    if satker.pk == request.user.managed_province_id:
        raise PermissionDenied(_("A province admin cannot suspend their own province."))
    services.set_satker_status(satker, Status.SUSPENDED if satker.is_active else Status.ACTIVE, actor=request.user)
    messages.success(
        request,
        _("Status of %(name)s is now: %(status)s.") % {"name": satker.name, "status": satker.get_status_display()},
    )
    return redirect("console-satker", code=code)


@login_required
@require_POST
def invite_admin(request, code):
    """Invite a satker admin into the satker's schema, or (national admins) a province admin."""
    access.require_console_user(request)
    satker = access.managed_satker(request.user, code)
    form = InviteForm(request.POST)
    as_province_admin = request.POST.get("role") == Role.PROVINCE_ADMIN
    if form.is_valid():
        try:
            if as_province_admin:
                if request.user.role != Role.NATIONAL_ADMIN:
                    raise PermissionDenied(_("Only national admins invite province admins."))
                services.invite_province_admin(satker, actor=request.user, **form.cleaned_data)
            else:
                services.invite_satker_admin(satker, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _detail_page(request, satker, form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("console-satker", code=code)

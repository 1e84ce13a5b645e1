"""A satker's own settings pages (branding, its stylesheet, its app manifest), signing in with a
HaloPST account, and the audit log of where an admin administers."""

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from core import services as account_services
from core.audit import entries
from core.errors import Conflict
from core.models import Role
from core.pages import form_status, next_path, submit_form
from tenants import services
from tenants.forms import BrandingForm, OfficeContactForm
from tenants.models import site_url
from tenants.selectors import satkers_visible_to


@login_required
@require_http_methods(["GET", "POST"])
def branding(request):
    """A satker admin sets the name, colour and logo their satker's pages show, and how
    visitors reach the office."""
    if request.tenant.is_public or request.user.role != Role.SATKER_ADMIN:
        raise PermissionDenied(_("Only this satker's admins may change its branding."))
    satker = request.tenant
    posted = request.POST.get("form", "branding") if request.method == "POST" else None
    form = BrandingForm(
        request.POST if posted == "branding" else None,
        request.FILES if posted == "branding" else None,
        initial={"display_name": satker.display_name, "primary_color": satker.primary_color},
    )
    contact_form = OfficeContactForm(
        request.POST if posted == "contact" else None,
        initial={name: getattr(satker, name) for name in services.CONTACT_FIELDS},
    )
    done = submit_form(
        request,
        form,
        lambda data: services.update_branding(satker, actor=request.user, **data),
        success=_("Branding saved."),
        next_url="branding",
    ) or submit_form(
        request,
        contact_form,
        lambda data: services.update_office_contact(satker, actor=request.user, **data),
        success=_("Saved."),
        next_url="branding",
    )
    return done or render(
        request,
        "tenants/branding.html",
        {"form": form, "contact_form": contact_form},
        status=form_status(form, contact_form),
    )


# --- One HaloPST account: the satker's side (the portal's is portal.views.sign_in_at_satker) ---

PORTAL_STATE = "portal_sign_in_state"


def to_portal(request):
    """ "Sign in with a HaloPST account" (or link one from the profile): to the portal, with a
    state kept in this session that the portal's answer must carry back."""
    state = secrets.token_urlsafe(16)
    request.session[PORTAL_STATE] = state
    query = urlencode({"state": state, "next": next_path(request, reverse("home"))})
    portal = site_url(settings.HALOPST_BASE_DOMAIN, f"/akun/masuk-ke/{request.tenant.code}/")
    return redirect(f"{portal}?{query}")


def from_portal(request):
    """Where the portal sends a HaloPST account to sign in here (core.services.sign_in_from_portal)."""
    try:
        user = account_services.sign_in_from_portal(
            request.GET.get("token", ""), request.tenant.code, request.session.pop(PORTAL_STATE, ""), request.user
        )
    except (ValidationError, Conflict) as refusal:
        status = 409 if isinstance(refusal, Conflict) else 400
        reason = str(refusal) if isinstance(refusal, Conflict) else " ".join(refusal.messages)
        return render(request, "tenants/portal_sign_in_refused.html", {"reason": reason}, status=status)
    if request.user != user:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("You are signed in with your HaloPST account."))
    return redirect(next_path(request, reverse("home")))


@cache_control(public=True, max_age=3600)
def web_manifest(request):
    """What a phone needs to install HaloPST: the satker's own name and colour on its host
    (the portal's on the portal), opening on its home page in a window of its own."""
    satker = request.tenant
    name = "HaloPST" if satker.is_public else f"HaloPST {satker.title}"
    manifest = {
        "name": name,
        "short_name": "HaloPST",
        "description": _("BPS statistical consultation, online"),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": satker.primary_color,
        "icons": [
            {"src": static("halopst/favicon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@cache_control(public=True, max_age=31536000, immutable=True)
def theme_css(request):
    """The satker's colour as a stylesheet (no inline style: the CSP forbids it). Versioned
    by the satker's last change in the page's link (a change is a new address), so browsers
    may keep it for good."""
    return HttpResponse(f":root {{ --brand: {request.tenant.primary_color}; }}\n", content_type="text/css")


@login_required
def audit_log(request):
    """Admins read (never edit) the audit log of where they administer."""
    if request.tenant.is_public:
        if request.user.role not in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN):
            raise PermissionDenied(_("Only admins read the audit log."))
        shown = entries()
        if request.user.role == Role.PROVINCE_ADMIN:
            codes = list(satkers_visible_to(request.user).values_list("code", flat=True))
            shown = shown.filter(Q(target__in=codes) | Q(actor_email=request.user.email))
    elif request.user.role == Role.SATKER_ADMIN:
        shown = entries()
    else:
        raise PermissionDenied(_("Only admins read the audit log."))
    page = Paginator(shown, 50).get_page(request.GET.get("halaman"))
    return render(request, "core/audit_log.html", {"page": page})

"""Pages every host has: home, sign-up and invitations. Login and password reset are Django's."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from core import privacy, services
from core.forms import DeleteAccountForm, InvitationAcceptForm, ProfileForm, SignUpForm, TwoFactorForm, UnlockForm
from core.models import Role
from core.pages import add_service_errors, form_status, next_path, submit_form
from core.ratelimit import limit


def satker_home(request):
    return render(request, "core/satker_home.html")


def _log_in(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")


@require_http_methods(["GET", "POST"])
@limit("sign_up")
def sign_up(request):
    form = SignUpForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: _log_in(request, services.register_consumer(**data)),
        success=_("Welcome! Your account is ready."),
        # Back to what brought them here (the slot and topic they chose before signing up).
        next_url=next_path(request, reverse("home")),
    )
    return done or render(
        request, "core/sign_up.html", {"form": form, "next": next_path(request, "")}, status=form_status(form)
    )


class LoginView(auth_views.LoginView):
    """Django's login, sending each role to where its work is when no `next` was asked for."""

    def get_default_redirect_url(self):
        start = settings.HALOPST_START_PAGE_BY_ROLE.get(self.request.user.role)
        return resolve_url(start) if start else super().get_default_redirect_url()


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    done = submit_form(
        request,
        form,
        lambda data: _log_in(request, services.accept_invitation(token=token, **data)),
        success=_("Your account is ready."),
        next_url="home",
    )
    return done or render(
        request, "core/invitation_accept.html", {"form": form, "invitation": invitation}, status=form_status(form)
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, initial={name: getattr(user, name) for name in services.PROFILE_FIELDS})
    done = submit_form(
        request, form, lambda data: services.update_profile(user, **data), success=_("Saved."), next_url="profile"
    )
    return done or render(request, "core/profile.html", {"form": form}, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """Download my data, or delete my account (consumers)."""
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.delete_account(request.user, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
    return render(request, "core/my_data.html", {"form": form}, status=form_status(form))


@login_required
def my_data_download(request):
    response = JsonResponse(privacy.export_personal_data(request.user), json_dumps_params={"indent": 2, "default": str})
    response["Content-Disposition"] = 'attachment; filename="data-saya-halopst.json"'
    return response


@cache_control(max_age=0, no_cache=True)
def service_worker(request):
    """The service worker, from the site's root so that it may serve every page (its file
    under /static/ could only serve /static/). Not cached: a new version must reach the browser."""
    stylesheet = static("halopst/site.css")  # hashed when deployed: a new stylesheet, a new cache
    context = {
        "version": hashlib.sha256(stylesheet.encode()).hexdigest()[:12],
        "stylesheet": stylesheet,
        "icon": static("halopst/favicon.svg"),
    }
    return render(request, "core/service_worker.js", context, content_type="application/javascript")


def offline(request):
    """What the service worker shows when a page cannot be reached."""
    return render(request, "core/offline.html")


def privacy_notice(request):
    """What HaloPST keeps about a person, why, for how long, and their rights (UU PDP 27/2022)."""
    return render(request, "core/privacy_notice.html", {"retention_days": settings.HALOPST_AIDA_RETENTION_DAYS})


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """Recovery codes, shown once: right after the device is set up, or when the admin asks
    for new ones (which voids the old)."""
    if not services.needs_two_factor(request.user):
        return redirect("home")
    if request.method == "POST":
        codes = services.new_recovery_codes(request.user)
    else:
        codes = request.session.pop(services.NEW_RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "core/recovery_codes.html", {"codes": codes, "next": next_path(request)})


def _may_unlock(request) -> bool:
    """Satker admins unlock their satker's accounts; on the portal only national admins, so a
    province admin cannot unlock another province's (or the nation's) admin."""
    wanted = Role.NATIONAL_ADMIN if request.tenant.is_public else Role.SATKER_ADMIN
    return request.user.role == wanted


@login_required
def locked_accounts(request):
    """Accounts and addresses locked by failed logins here, and a way to lift the lock."""
    if not _may_unlock(request):
        raise PermissionDenied(_("Only admins unlock accounts."))
    form = UnlockForm(request.POST if request.method == "POST" else None)
    done = submit_form(
        request,
        form,
        lambda data: services.unlock(actor=request.user, **data),
        success=_("Unlocked."),
        next_url="locked-accounts",
    )
    return done or render(
        request, "core/locked_accounts.html", {"attempts": services.lockouts(), "form": form}, status=form_status(form)
    )


def _error(request, status, message, template):
    """Error answers: JSON under /api/ (as the API's schema documents), a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, template, {"message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, _("The request could not be understood."), "400.html")


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else _("You do not have access to this page.")
    return _error(request, 403, message, "403.html")


def csrf_failure(request, reason=""):
    """A form sent without (or with an outdated) security token: usually a page left open for
    long or opened in another tab before signing in. Nothing was saved; say how to go on."""
    return _error(
        request,
        403,
        _("This form has expired, so nothing was saved. Go back, reload the page and send it again."),
        "403.html",
    )


def method_not_allowed(request):
    return _error(request, 405, _("This page cannot be used that way. Open it from a link or a button."), "400.html")


def page_not_found(request, exception=None):
    return _error(request, 404, _("Not found."), "404.html")


def server_error(request):
    return _error(request, 500, _("Something went wrong on our side. Please try again in a moment."), "500.html")


@login_required
@require_http_methods(["GET", "POST"])
@limit("login", failures_only=True)
def two_factor(request):
    """Admins set up (first time) or confirm their authenticator code."""
    if not services.needs_two_factor(request.user):
        return redirect("home")
    device = services.two_factor_device(request.user)
    form = TwoFactorForm(request.POST or None)
    next_url = next_path(request)
    done = submit_form(
        request,
        form,
        lambda data: services.verify_two_factor(request, data["code"]),
        success=_("Verified."),
        next_url=next_url,
        atomic=False,
    )
    if done and services.NEW_RECOVERY_CODES_SESSION_KEY in request.session:
        return redirect(f"{reverse('recovery-codes')}?{urlencode({'next': next_url})}")
    return done or render(
        request,
        "core/two_factor.html",
        {
            "form": form,
            "setup": not device.confirmed,
            "secret": services.two_factor_secret(device),
            "uri": device.config_url,
        },
        status=form_status(form),
    )

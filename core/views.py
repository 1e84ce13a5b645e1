"""Pages every host has: home, sign-up and invitations. Login and password reset are Django's."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import services
from core.forms import InvitationAcceptForm, SignUpForm


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def home(request):
    if request.tenant.is_public:
        from tenants.views import portal_home

        return portal_home(request)
    return render(request, "core/satker_home.html")


@require_http_methods(["GET", "POST"])
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_consumer(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("home")
    return render(request, "core/sign_up.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render(request, "core/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready."))
            return redirect("home")
    return render(request, "core/invitation_accept.html", {"form": form, "invitation": invitation},
                  status=400 if form.errors else 200)

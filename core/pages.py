"""What every app's pages share: running a service on a posted form and showing its refusal."""

from contextlib import nullcontext

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.errors import Conflict


def next_path(request, default: str = "/") -> str:
    """Where to go after a step (the `next` of the form or the address): only a path on this
    same host, so a crafted link cannot send someone elsewhere."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and wanted.startswith("/"):
        return wanted
    return default


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form fields it names."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def submit_form(request, form, action, *, success: str, next_url, atomic: bool = True):
    """The one way a page runs a service on a posted form.

    If `form` is bound and valid, call `action(cleaned_data)`; on success flash `success` and
    redirect to `next_url`; a ValidationError from the service lands on the form instead, so
    nothing typed is lost. Services write their own audit entries (given `actor=`), so the page
    and the API audit alike. Returns the redirect, or None when the page should be shown again.

    An action of several service calls stands or falls whole (`atomic`); a single service that
    commits part of a refusal (a wrong two-factor code is counted) runs as it is.
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        with transaction.atomic() if atomic else nullcontext():
            action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success)
    return redirect(next_url)


def run_action(request, form, action) -> int | None:
    """Run a page's posted action: `action(cleaned_data)` once `form` (None: an action without
    fields) is valid. None when it is done; else the status to show the page again with: 400
    for what the form or the service refused (on the form's fields, or as a message when there
    is no form), 409 for a Conflict with the current state (as a message)."""
    if form is not None and not form.is_valid():
        return 400
    try:
        action(form.cleaned_data if form is not None else {})
    except Conflict as error:
        messages.error(request, str(error))
        return 409
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
        else:
            add_service_errors(form, error)
        return 400
    return None


def form_status(*forms) -> int:
    """400 when a shown form carries errors, so clients and tests see the refusal."""
    return 400 if any(form.errors for form in forms if form is not None) else 200

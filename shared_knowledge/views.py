"""The console's page of shared knowledge, for national and province admins on the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import form_status, submit_form
from shared_knowledge import selectors, services
from shared_knowledge.forms import NATIONAL_CHOICE, SharedEntryForm
from shared_knowledge.models import NATIONAL, SharedStatus
from tenants.access import require_console_user
from tenants.selectors import provinces_visible_to


def _scope_choices(user) -> list[tuple[str, str]]:
    provinces = {province.code[:2]: province.name for province in provinces_visible_to(user)}
    writable = services.scopes_of(user)
    choices = [(NATIONAL_CHOICE, _("Every satker (national)"))] if NATIONAL in writable else []
    return choices + [
        (code, name) for code, name in sorted(provinces.items()) if code in writable or NATIONAL in writable
    ]


@login_required
def shared_knowledge(request):
    require_console_user(request)
    entries = selectors.entries_for_admin(request.user)
    return render(
        request,
        "shared_knowledge/list.html",
        {
            "entries": entries.filter(status=SharedStatus.PUBLISHED),
            "proposals": entries.filter(status=SharedStatus.PROPOSED),
            "writable": services.scopes_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_shared_entry(request, pk=None):
    require_console_user(request)
    entry = get_object_or_404(selectors.entries_for_admin(request.user), pk=pk) if pk else None
    initial = (
        {name: getattr(entry, name) for name in SharedEntryForm.base_fields}
        if entry
        else {"language": "id", "scope": (services.scopes_of(request.user) or [NATIONAL])[0]}
    )
    initial["scope"] = initial["scope"] or NATIONAL_CHOICE
    form = SharedEntryForm(request.POST or None, initial=initial, scopes=_scope_choices(request.user))
    done = submit_form(
        request,
        form,
        lambda data: services.save_shared_entry(request.user, entry, **data),
        success=_("Saved: every satker it is for finds it at once."),
        next_url="shared-knowledge",
    )
    return done or render(
        request, "shared_knowledge/edit.html", {"form": form, "entry": entry}, status=form_status(form)
    )


@login_required
@require_POST
def publish_proposal(request, pk):
    require_console_user(request)
    get_object_or_404(selectors.entries_for_admin(request.user), pk=pk, status=SharedStatus.PROPOSED)
    services.publish_proposal(request.user, pk)
    messages.success(request, _("Published for every satker of the province."))
    return redirect("shared-knowledge")

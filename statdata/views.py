"""The satker admin's page for the BPS tables AIDA answers with."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import require_role
from core.models import Role
from core.pages import form_status, submit_form
from statdata import selectors, services
from statdata.forms import FollowTableForm


@require_http_methods(["GET", "POST"])
def followed_tables(request):
    require_role(request, Role.SATKER_ADMIN)
    satker = request.tenant
    form = FollowTableForm(request.POST or None)
    done = submit_form(
        request,
        form,
        lambda data: services.follow_webapi_table(
            satker, variable_id=data["variable_id"], aliases=data["aliases"].split(","), actor=request.user
        ),
        success=_("The table is followed: its figures are fetched now and refreshed every day."),
        next_url="followed-tables",
    )
    return done or render(
        request,
        "statdata/followed_tables.html",
        {"form": form, "tables": selectors.followed_tables_of(satker.code)},
        status=form_status(form),
    )

"""The satker admin's page for the BPS tables AIDA answers with."""

import uuid
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.access import require_role
from core.models import Role
from core.pages import add_service_errors, form_status, submit_form
from statdata import selectors, services
from statdata.forms import FollowTableForm, MappingForm, UploadTableForm
from statdata.tables import MAX_TABLE_BYTES, Mapping, TableError, check, read_table


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


UPLOAD_SESSION_KEY = "statdata_table_upload"


def _upload_path(name: str) -> str:
    # The satker's own folder, a random name: one satker's upload is never another's.
    return f"satkers/{connection.schema_name}/table-uploads/{uuid.uuid4().hex}{Path(name).suffix.lower()}"


@require_http_methods(["GET", "POST"])
def upload_table(request):
    """Step 1: the file and what it is. It is read at once (a file that is not a table is
    refused here) and kept in the satker's storage until it is imported."""
    require_role(request, Role.SATKER_ADMIN)
    satker = request.tenant
    form = UploadTableForm(request.POST or None, request.FILES or None, initial={"publisher": f"BPS {satker.name}"})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["table"]
        content = upload.read(MAX_TABLE_BYTES + 1)
        try:
            read_table(upload.name, content)
        except TableError as error:
            form.add_error("table", str(error))
        else:
            path = default_storage.save(_upload_path(upload.name), ContentFile(content))
            released_on = form.cleaned_data["released_on"]
            request.session[UPLOAD_SESSION_KEY] = {
                "path": path,
                "name": upload.name,
                "title": form.cleaned_data["title"],
                "publisher": form.cleaned_data["publisher"],
                "url": form.cleaned_data["url"],
                "released_on": released_on.isoformat() if released_on else None,
            }
            return redirect("table-mapping")
    return render(
        request,
        "statdata/upload_table.html",
        {"form": form, "sources": selectors.tables_uploaded_by(satker.code)},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def table_mapping(request):
    """Step 2: say which column is what, see every rejected row, then import (one transaction)."""
    require_role(request, Role.SATKER_ADMIN)
    satker = request.tenant
    upload = request.session.get(UPLOAD_SESSION_KEY)
    if not upload or not upload["path"].startswith(f"satkers/{connection.schema_name}/"):
        messages.info(request, _("Upload a table first."))
        return redirect("upload-table")
    with default_storage.open(upload["path"], "rb") as handle:
        table = read_table(upload["name"], handle.read())
    variables = selectors.variables_for_mapping()
    form = MappingForm(request.POST or None, header=table.header, variables=variables)
    checked = None
    if request.method == "POST" and form.is_valid():
        mapping = Mapping(
            area_column=form.cleaned_data["area_column"],
            year_column=form.cleaned_data["year_column"],
            variables={
                index: form.known.get(form.cleaned_data[f"column_{index}"])
                or selectors.table_variable(satker.code, table.header[index], form.cleaned_data[f"unit_{index}"])
                for index in form.cleaned_data["value_columns"]
            },
        )
        if "import" in request.POST:
            try:
                report, checked = services.import_table(
                    satker,
                    table,
                    mapping,
                    title=upload["title"],
                    publisher=upload["publisher"],
                    url=upload["url"],
                    released_on=date.fromisoformat(upload["released_on"]) if upload["released_on"] else None,
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                default_storage.delete(upload["path"])
                del request.session[UPLOAD_SESSION_KEY]
                messages.success(
                    request,
                    _(
                        "Imported: %(created)d new values, %(revised)d revised (the earlier ones are kept as "
                        "history), %(unchanged)d unchanged; %(rejected)d rows left out."
                    )
                    % {**vars(report), "rejected": len(checked.rejected)},
                )
                return redirect("upload-table")
        checked = check(table, mapping, allowed_codes=services.allowed_area_codes(satker))
    return render(
        request,
        "statdata/table_mapping.html",
        {"form": form, "upload": upload, "table": table, "preview": table.rows[:8], "checked": checked},
        status=form_status(form),
    )

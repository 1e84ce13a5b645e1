"""Reports: the satker dashboard and its downloads, the officer leaderboard, the command centre."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import require_role
from core.models import Role
from insights import charts, exports, reports, rollups
from insights.forms import MonthForm, PeriodForm
from tenants import access
from tenants.models import Satker
from tenants.selectors import provinces_visible_to, satkers_visible_to

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
        return render(request, "insights/command_centre.html", {"period": period, "month": month}, status=400)
    satkers = _command_centre_scope(request)
    rows = reports.command_centre_rows(satkers, period.cleaned_data["first"], period.cleaned_data["last"])
    sort = request.GET.get("urut", "ikm")
    national = request.user.role == Role.NATIONAL_ADMIN
    watching = request.GET.get("provinsi", "") if national else ""
    # The whole country: one line per province first; a province's satkers one click away.
    overview = national and not watching
    ranked, without_data = reports.rank(rows, sort)
    shown = ranked[:RANKING_LIMIT] if overview else ranked
    first, last = period.cleaned_data["first"], period.cleaned_data["last"]
    trends, days_per_point = reports.requests_trend([row["code"] for row in shown], first, last)
    metric = reports.RANKINGS.get(sort, "ikm")
    return render(
        request,
        "insights/command_centre.html",
        {
            "period": period,
            "month": month,
            "rows": reports.province_rows(rows) if overview else rows,
            "ranking": [dict(row, trend=charts.trend_points(trends[row["code"]])) for row in shown],
            "ranking_limited": overview and len(ranked) > RANKING_LIMIT,
            "without_data": without_data,
            "trend_by_week": days_per_point == 7,
            "ranking_chart": charts.bars([(row["name"], row[metric]) for row in shown[:15]]),
            "sort": sort,
            "rankings": reports.RANKINGS,
            "board": reports.leaderboard(satkers, month.cleaned_data["month"]),
            "provinces": provinces_visible_to(request.user) if national else [],
            "watching": watching,
        },
    )


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
        return render(request, "insights/dashboard.html", {"period": period}, status=400)
    summary = reports.satker_summary(request.tenant, period.cleaned_data["first"], period.cleaned_data["last"])
    return render(
        request,
        "insights/dashboard.html",
        {
            "period": period,
            "summary": summary,
            "charts": charts.dashboard_charts(summary),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def dashboard_export(request, fmt):
    require_role(request, Role.SATKER_ADMIN)
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Downloads come as CSV or XLSX."))
    period, valid = _period_or_400(request)
    if not valid:
        return HttpResponse(
            "; ".join(period.non_field_errors() or [_("Invalid period.")]),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
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
        return render(request, "insights/leaderboard.html", {"month": month}, status=400)
    return render(
        request,
        "insights/leaderboard.html",
        {
            "month": month,
            "board": reports.leaderboard(Satker.objects.filter(pk=request.tenant.pk), month.cleaned_data["month"]),
            "formula": rollups.SCORE_RULES,
            "award_min": rollups.AWARD_MIN_COMPLETED,
        },
    )

"""Who may manage which satker. Every console page and API goes through these helpers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from core.models import Role
from tenants.models import Kind, Satker
from tenants.selectors import satkers_visible_to
from tenants.services import SatkerSpec


def is_console_user(user) -> bool:
    return user.is_authenticated and user.role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN)


def require_console_user(request) -> None:
    """Console pages live on the portal and are for national and province admins only."""
    if not request.tenant.is_public or not is_console_user(request.user):
        raise PermissionDenied(_("Only national and province admins may use the console."))


def managed_satker(user, code: str) -> Satker:
    """A satker the user may manage; 404 (not 403) otherwise, so codes outside a province
    reveal nothing about whether they exist."""
    satker = satkers_visible_to(user).filter(code=code).first()
    if satker is None:
        raise Http404(_("No such satker."))
    return satker


def check_may_onboard(user, spec: SatkerSpec) -> None:
    if user.role == Role.NATIONAL_ADMIN:
        return
    province = user.managed_province
    if spec.kind == Kind.PROVINCE or province is None or spec.code[:2] != province.code[:2]:
        raise PermissionDenied(_("You can only add regencies and cities of your own province."))

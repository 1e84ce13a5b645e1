"""The one role check pages use: 403 (in the user's language) for anyone else."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def require_role(request, *roles) -> None:
    if not request.user.is_authenticated or request.user.role not in roles:
        raise PermissionDenied(_("This page is not for your role."))

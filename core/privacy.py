"""Personal data rights (UU PDP 27/2022): a consumer downloads their data or deletes their account.

Deleting keeps what the satker must count (consultations, ratings, the fact that questions were
asked) but leaves nothing that identifies the person: the account row is anonymised, free text
they wrote is scrubbed, contact addresses and conversations' links to them are removed.

This module orchestrates; each app knows its own rows. An installed app that keeps personal
data has a `privacy` module with `personal_data_of(user) -> dict` (its sections of the export)
and `erase_personal_data(user)` (called inside the deletion's transaction, before the account
row is anonymised). `tests/core/test_privacy_audit.py` fails for an app whose models point at
users but that has no such module, so a new app cannot forget either half.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name

from core.models import Role, User


@cache  # the installed apps do not change while the process runs
def app_hooks() -> dict[str, ModuleType]:
    """App label → its `privacy` module, for every installed project app that has one."""
    hooks = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.privacy"
        if config.name != "core" and find_spec(config.name) and find_spec(name):
            hooks[config.label] = import_module(name)
    return hooks


def export_personal_data(user: User) -> dict:
    account = {
        "email": user.email,
        "full_name": user.full_name,
        "whatsapp": user.whatsapp,
        "role": user.role,
        "language": user.language,
        "joined": user.date_joined.isoformat(),
        "privacy_consent_at": user.privacy_consent_at.isoformat() if user.privacy_consent_at else None,
        "notify_by_email": user.notify_by_email,
        "notify_by_whatsapp": user.notify_by_whatsapp,
    }
    data = {"account": account}
    if connection.schema_name == get_public_schema_name():
        return data  # the portal's accounts (admins) have no satker rows
    for hooks in app_hooks().values():
        data.update(hooks.personal_data_of(user))
    return data


@transaction.atomic
def delete_account(user: User, *, password: str) -> None:
    if user.role != Role.CONSUMER:
        raise PermissionDenied(_("Staff accounts are closed by an admin."))
    if not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    for hooks in app_hooks().values():
        hooks.erase_personal_data(user)
    user.email = f"terhapus-{user.pk}@anonim.invalid"
    user.full_name = _("Deleted user")
    user.whatsapp = ""
    user.is_active = False
    user.password = make_password(None)  # also ends every session of the account
    user.notify_by_email = user.notify_by_whatsapp = False
    user.save()

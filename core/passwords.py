"""Password rules beyond Django's own validators (length, similarity to the account, common and
numeric passwords), for what attackers of a public office try first."""

import re

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

MAX_LENGTH = 128  # hashing a megabyte "password" on every login attempt is a denial of service


class MixedCharactersValidator:
    """Letters and at least one digit or symbol; no more than MAX_LENGTH characters."""

    def validate(self, password, user=None):
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("A password can be at most %(max)d characters long.") % {"max": MAX_LENGTH}, code="password_too_long"
            )
        if not re.search(r"[^\W\d_]", password) or not re.search(r"[\d\W_]", password):
            raise ValidationError(_("Use letters and at least one digit or symbol."), code="password_one_kind")

    def get_help_text(self):
        return _("Use letters and at least one digit or symbol.")


class ServiceNameValidator:
    """Not the name of the service or of the office: the first words anyone guesses."""

    def validate(self, password, user=None):
        lowered = password.lower()
        words = {"halopst", getattr(getattr(connection, "tenant", None), "subdomain", "")} - {""}
        if any(word in lowered for word in words):
            raise ValidationError(
                _("Do not use the name of HaloPST or of this office in your password."), code="password_service_name"
            )

    def get_help_text(self):
        return _("Do not use the name of HaloPST or of this office in your password.")

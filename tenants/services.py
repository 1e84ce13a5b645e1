"""Every write to the satker registry: onboarding, bulk import, status and branding changes."""

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from core.audit import record
from core.models import Role
from core.sealing import seal
from core.services import invite_user
from tenants.models import PUBLIC_SCHEMA, TIMEZONE_LABELS, Domain, Kind, Satker, Status, WhatsAppNumber
from tenants.schema_template import create_schema_from_template, ensure_template
from tenants.signals import satker_onboarded

RESERVED_SUBDOMAINS = {"www", "api", "admin", "static", "media", "mail", "public", "portal", "ws"}


class OnboardingError(Exception):
    """Why a satker could not be created; `errors` maps a field (or "__all__") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items()))


@dataclass(frozen=True)
class SatkerSpec:
    code: str
    kind: str
    name: str
    subdomain: str
    timezone: str

    @classmethod
    def from_row(cls, row: dict[str, str]) -> "SatkerSpec":
        return cls(
            **{name: (row.get(name) or "").strip() for name in ("code", "kind", "name", "subdomain", "timezone")}
        )


def primary_domain_for(subdomain: str) -> str:
    return f"{subdomain}.{settings.HALOPST_BASE_DOMAIN}"


def _parent_code(spec: SatkerSpec) -> str | None:
    if spec.kind in (Kind.REGENCY, Kind.CITY):
        return spec.code[:2] + "00"
    return None


def _validated_satker(spec: SatkerSpec) -> Satker:
    """Build an unsaved Satker from the spec, or raise OnboardingError saying what is wrong."""
    errors: dict[str, list[str]] = {}
    if spec.kind not in (Kind.PROVINCE, Kind.REGENCY, Kind.CITY):
        errors["kind"] = [_("Kind must be province, regency or city.")]
    if spec.timezone not in TIMEZONE_LABELS:
        errors["timezone"] = [
            _("Unknown time zone %(zone)s: use Asia/Jakarta, Asia/Pontianak, Asia/Makassar or Asia/Jayapura.")
            % {"zone": spec.timezone or "-"}
        ]
    if spec.subdomain in RESERVED_SUBDOMAINS:
        errors["subdomain"] = [_("The subdomain %(sub)s is reserved.") % {"sub": spec.subdomain}]
    parent = None
    parent_code = _parent_code(spec)
    if parent_code and spec.code.isdigit() and len(spec.code) == 4:
        parent = Satker.objects.filter(code=parent_code, kind=Kind.PROVINCE).first()
        if parent is None:
            errors["parent"] = [_("The province %(code)s does not exist yet: import it first.") % {"code": parent_code}]
    satker = Satker(
        code=spec.code,
        kind=spec.kind,
        name=spec.name,
        subdomain=spec.subdomain,
        timezone=spec.timezone,
        parent=parent,
        schema_name=spec.subdomain,
    )
    try:
        satker.full_clean(exclude=["schema_name"] + list(errors))
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise OnboardingError(errors)
    return satker


def onboard_satker(spec: SatkerSpec, *, actor=None, admin_email: str = "", admin_name: str = "") -> Satker:
    """Create a satker whole, or not at all: its row, schema, domain, first admin's invitation
    and the audit entry (by `actor`; "system" for commands), whichever path asked for it.

    The schema is replayed from the template inside the same transaction as the rows, so any
    failure (a domain already taken, a bad admin address) rolls everything back.
    """
    with schema_context(PUBLIC_SCHEMA):
        satker = _validated_satker(spec)
        template = ensure_template()
        try:
            with transaction.atomic():
                satker.save()
                create_schema_from_template(satker.schema_name, template)
                Domain.objects.create(domain=primary_domain_for(satker.subdomain), tenant=satker, is_primary=True)
                record(actor, "satker.onboard", satker.code, subdomain=satker.subdomain, kind=satker.kind)
                with schema_context(satker.schema_name):
                    satker_onboarded.send(sender=Satker, satker=satker)
                    if admin_email:
                        invite_user(email=admin_email, full_name=admin_name, role=Role.SATKER_ADMIN, actor=actor)
        except IntegrityError as error:
            raise OnboardingError(
                {"__all__": [_("The satker could not be created: %(reason)s") % {"reason": _integrity_reason(error)}]}
            ) from error
        except ValidationError as error:
            raise OnboardingError({"admin_email": error.messages}) from error
    return satker


def _integrity_reason(error: IntegrityError) -> str:
    text = str(error)
    if "tenants_domain_domain" in text:
        return _("its domain is already in use")
    if "subdomain" in text or "schema_name" in text:
        return _("its subdomain is already in use")
    if "code" in text:
        return _("its BPS code is already in use")
    return _("a conflicting record exists")


def set_satker_status(satker: Satker, status: str, *, actor=None) -> Satker:
    satker.status = Status(status)
    with schema_context(PUBLIC_SCHEMA), transaction.atomic():
        satker.save(update_fields=["status", "updated_at"])
        record(actor, "satker.status", satker.code, status=satker.status)
    return satker


def _save_own_row(satker: Satker, fields: list[str]) -> None:
    """Save what a satker's admin changed of its registry row, from the satker's own host: the
    row lives in the public schema, so the write runs there (its audit entry stays in the
    satker's own log, where its admins read it)."""
    try:
        satker.full_clean(exclude=["schema_name", "parent"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(dict(error.message_dict)) from None
    with schema_context(PUBLIC_SCHEMA):
        satker.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def update_branding(satker: Satker, *, display_name: str, primary_color: str, logo=None, actor=None) -> Satker:
    """Change how a satker's pages look."""
    satker.display_name = display_name
    satker.primary_color = primary_color
    if logo is not None:
        satker.logo = logo
    _save_own_row(satker, ["display_name", "primary_color", "logo"])
    record(actor, "branding.update", satker.code, display_name=display_name, primary_color=primary_color, logo=logo)
    return satker


CONTACT_FIELDS = ["address", "opening_hours", "phone", "whatsapp", "email", "map_url"]


@transaction.atomic
def update_office_contact(satker: Satker, *, actor=None, **contact: str) -> Satker:
    """How visitors reach the office (CONTACT_FIELDS)."""
    for name in CONTACT_FIELDS:
        setattr(satker, name, contact[name].strip())
    _save_own_row(satker, CONTACT_FIELDS)
    record(actor, "office_contact.update", satker.code, **{name: getattr(satker, name) for name in CONTACT_FIELDS})
    return satker


@transaction.atomic
def connect_whatsapp(satker: Satker, *, phone_number_id: str, display_number: str, access_token: str, actor=None):
    """Connect (or reconnect, with a new token) the satker's own WhatsApp Business number. A
    number already connected to another satker is refused: its messages could go to only one."""
    phone_number_id, access_token = phone_number_id.strip(), access_token.strip()
    if not access_token:
        raise ValidationError({"access_token": _("Paste the number's access token.")})
    with schema_context(PUBLIC_SCHEMA):
        taken = WhatsAppNumber.objects.filter(phone_number_id=phone_number_id).exclude(satker=satker).exists()
        if taken:
            raise ValidationError({"phone_number_id": _("This number is connected to another satker.")})
        number = WhatsAppNumber.objects.filter(satker=satker).first() or WhatsAppNumber(satker=satker)
        number.phone_number_id = phone_number_id
        number.display_number = display_number.strip()
        number.sealed_token = seal(access_token)
        try:
            number.full_clean(exclude=["satker"], validate_unique=False)
        except ValidationError as error:
            raise ValidationError(dict(error.message_dict)) from None
        number.save()
    record(actor, "whatsapp.connect", satker.code, phone_number_id=phone_number_id, display_number=display_number)
    return number


@transaction.atomic
def disconnect_whatsapp(satker: Satker, *, actor=None) -> None:
    with schema_context(PUBLIC_SCHEMA):
        WhatsAppNumber.objects.filter(satker=satker).delete()
    record(actor, "whatsapp.disconnect", satker.code)


@transaction.atomic
def invite_province_admin(province: Satker, *, email: str, full_name: str = "", actor=None):
    if province.kind != Kind.PROVINCE:
        raise ValidationError(_("Province admins belong to a province."))
    with schema_context(PUBLIC_SCHEMA):
        return invite_user(
            email=email,
            full_name=full_name,
            role=Role.PROVINCE_ADMIN,
            managed_province=province,
            actor=actor,
            audit_target=province.code,
        )


@transaction.atomic
def invite_satker_admin(satker: Satker, *, email: str, full_name: str = "", actor=None):
    """A console admin invites a satker's admin: the invitation lives in the satker's schema,
    the audit entry in the console's (where the province's log shows it)."""
    with schema_context(satker.schema_name):
        invitation = invite_user(email=email, full_name=full_name, role=Role.SATKER_ADMIN, actor=actor)
    record(actor, "admin.invite", satker.code, email=invitation.email, role=Role.SATKER_ADMIN)
    return invitation


# --- Bulk import ------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, reason)

    @property
    def summary(self) -> str:
        return _("%(created)d created, %(unchanged)d already present, %(rejected)d rejected") % {
            "created": len(self.created),
            "unchanged": len(self.unchanged),
            "rejected": len(self.rejected),
        }


PROVINCE_CSV_COLUMNS = ("code", "name", "subdomain", "timezone")
SATKER_CSV_COLUMNS = ("code", "kind", "name", "subdomain", "timezone")


def read_satker_csv(path: Path) -> Iterator[tuple[int, SatkerSpec]]:
    """Rows of a satker CSV (code,kind,name,subdomain,timezone) or of the provinces CSV
    (two-digit code,name,subdomain,timezone), as specs numbered by their line in the file."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = tuple(reader.fieldnames or ())
        if columns == PROVINCE_CSV_COLUMNS:
            for line, row in enumerate(reader, start=2):
                code = (row.get("code") or "").strip()
                yield (
                    line,
                    SatkerSpec(
                        code=f"{code}00" if len(code) == 2 else code,
                        kind=Kind.PROVINCE,
                        name=f"Provinsi {(row.get('name') or '').strip()}",
                        subdomain=(row.get("subdomain") or "").strip(),
                        timezone=(row.get("timezone") or "").strip(),
                    ),
                )
        elif set(SATKER_CSV_COLUMNS) <= set(columns):
            for line, row in enumerate(reader, start=2):
                yield line, SatkerSpec.from_row(row)
        else:
            raise ValueError(
                _("Unrecognised columns %(columns)s: expected %(expected)s.")
                % {"columns": ",".join(columns), "expected": ",".join(SATKER_CSV_COLUMNS)}
            )


def import_satkers(rows: Iterable[tuple[int, SatkerSpec]], *, on_row=None) -> ImportReport:
    """Onboard every good row; report each bad one. Re-running the same file changes nothing.

    Provinces are imported before their regencies whatever the order in the file.
    """
    report = ImportReport()
    seen_subdomains: dict[str, str] = {}
    ordered = sorted(rows, key=lambda item: (item[1].kind != Kind.PROVINCE, item[0]))
    for line, spec in ordered:
        try:
            existing = Satker.objects.filter(code=spec.code).first()
            if existing is not None and existing.subdomain == spec.subdomain:
                report.unchanged.append(spec.code)
            elif existing is not None:
                raise OnboardingError(
                    {
                        "code": [
                            _("The BPS code %(code)s already belongs to %(name)s.")
                            % {"code": spec.code, "name": existing.name}
                        ]
                    }
                )
            elif seen_subdomains.get(spec.subdomain, spec.code) != spec.code:
                raise OnboardingError(
                    {
                        "subdomain": [
                            _("Duplicate subdomain %(sub)s in this file (also code %(other)s).")
                            % {"sub": spec.subdomain, "other": seen_subdomains[spec.subdomain]}
                        ]
                    }
                )
            else:
                onboard_satker(spec)
                report.created.append(spec.code)
            seen_subdomains[spec.subdomain] = spec.code
        except OnboardingError as error:
            reasons = " ".join(message for messages in error.errors.values() for message in messages)
            report.rejected.append((line, spec.code, reasons))
        if on_row is not None:
            on_row()
    return report

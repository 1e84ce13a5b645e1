"""The satker registry: one row per BPS office, each with its own PostgreSQL schema."""

from urllib.parse import quote

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from core.text import normalise_whatsapp_number

PUBLIC_SCHEMA = "public"

bps_code_validator = RegexValidator(r"^\d{4}$", _("A BPS code has exactly four digits."))
subdomain_validator = RegexValidator(
    r"^[a-z][a-z0-9]{1,39}$", _("A subdomain uses lowercase letters and digits only and starts with a letter.")
)
colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour is written as #RRGGBB."))


class Kind(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency")
    CITY = "city", _("City")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


# Indonesia's three time zones (Asia/Pontianak keeps WIB, as West Kalimantan does).
TIMEZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
TIMEZONE_CHOICES = [(zone, f"{zone} ({label})") for zone, label in TIMEZONE_LABELS.items()]


def logo_upload_path(satker, filename):
    # Files of one satker stay under its own folder.
    return f"satkers/{satker.schema_name}/branding/{filename}"


def site_url(host: str, path: str = "/") -> str:
    """Absolute URL of a path on one of our hosts, with the public scheme and port."""
    port = f":{settings.HALOPST_PUBLIC_PORT}" if settings.HALOPST_PUBLIC_PORT else ""
    return f"{settings.HALOPST_URL_SCHEME}://{host}{port}{path}"


class Satker(TenantMixin):
    code = models.CharField(_("BPS code"), max_length=4, unique=True, validators=[bps_code_validator])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    subdomain = models.CharField(_("subdomain"), max_length=40, unique=True, validators=[subdomain_validator])
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("province")
    )
    timezone = models.CharField(_("time zone"), max_length=32, choices=TIMEZONE_CHOICES, default="Asia/Jakarta")
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_upload_path, blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#0B5394", validators=[colour_validator]
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # How to reach the office in person or by phone: its admins keep these, its home page shows them.
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    whatsapp = models.CharField(_("WhatsApp number"), max_length=24, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    map_url = models.URLField(_("map link"), max_length=500, blank=True, validators=[URLValidator(schemes=["https"])])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are made by cloning the template (tenants.schema_template), never by migrating.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="satker_code_is_four_digits",
                condition=Q(code__regex=r"^\d{4}$"),
                violation_error_message=_("A BPS code has exactly four digits."),
            ),
            models.CheckConstraint(
                name="satker_timezone_is_indonesian",
                condition=Q(timezone__in=list(TIMEZONE_LABELS)),
                violation_error_message=_("Use one of Indonesia's time zones."),
            ),
            models.CheckConstraint(
                name="satker_colour_is_hex",
                condition=Q(primary_color__regex=r"^#[0-9a-fA-F]{6}$"),
                violation_error_message=_("A colour is written as #RRGGBB."),
            ),
            # A province code ends in 00; a regency's is below 71, a city's from 71 (BPS convention).
            models.CheckConstraint(
                name="satker_kind_matches_code",
                condition=Q(kind="national", code="0000")
                | Q(kind="province", code__regex=r"^[1-9]\d00$")
                | Q(kind="regency", code__regex=r"^\d\d([0-6]\d)$", parent__isnull=False)
                | Q(kind="city", code__regex=r"^\d\d([7-9]\d)$", parent__isnull=False),
                violation_error_message=_(
                    "The kind does not match the BPS code: a province's code ends in 00, a regency's "
                    "last two digits are 01-69 and a city's 71-99."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def title(self):
        return self.display_name or f"BPS {self.name}"

    @property
    def timezone_label(self):
        return TIMEZONE_LABELS[self.timezone]

    @property
    def is_public(self):
        return self.schema_name == PUBLIC_SCHEMA

    @property
    def is_active(self):
        return self.status == Status.ACTIVE

    @property
    def province(self):
        return self if self.kind in (Kind.PROVINCE, Kind.NATIONAL) else self.parent

    @property
    def map_link(self) -> str:
        """The map link the admin gave, else a map search for the address ("" without either)."""
        if self.map_url or not self.address:
            return self.map_url
        return "https://www.google.com/maps/search/?api=1&query=" + quote(f"{self.title}, {self.address}")

    @property
    def whatsapp_link(self) -> str:
        number = normalise_whatsapp_number(self.whatsapp)
        return f"https://wa.me/{number}" if number else ""

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on the satker's own host (the portal for the national satker)."""
        return site_url(settings.HALOPST_BASE_DOMAIN if self.is_public else self.get_primary_domain().domain, path)

    def get_primary_domain(self):
        """Asked once per instance: a page that links one satker for each of its officers
        (the portal's search) would otherwise query its domain once per link."""
        if "_primary_domain" not in self.__dict__:
            self.__dict__["_primary_domain"] = super().get_primary_domain()
        return self.__dict__["_primary_domain"]


class Domain(DomainMixin):
    class Meta:
        ordering = ["domain"]


class SchemaTemplate(models.Model):
    """The DDL every new satker schema is created from (see tenants.schema_template)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"schema template {self.fingerprint[:12]}"


class WhatsAppNumber(models.Model):
    """A satker's own WhatsApp Business number, through which consumers write to it.

    Lives in the public schema: an inbound webhook names only the number (`phone_number_id`),
    and this row says whose schema its messages belong to. The access token is sealed
    (core.sealing), never shown again once saved.
    """

    satker = models.OneToOneField(Satker, on_delete=models.CASCADE, related_name="whatsapp_number")
    phone_number_id = models.CharField(_("phone number ID"), max_length=40, unique=True)
    display_number = models.CharField(_("number as people write it"), max_length=24)
    sealed_token = models.TextField()
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(name="whatsapp_number_id_digits", condition=Q(phone_number_id__regex=r"^\d{5,40}$")),
        ]

    def __str__(self):
        return f"{self.display_number} ({self.satker.code})"

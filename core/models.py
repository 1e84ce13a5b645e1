"""The one user model, present in the public schema and in every satker schema.

A row in the public schema is a national or province admin; a row in a satker schema is
that satker's admin, officer or consumer. The same e-mail may exist in several schemas:
they are different accounts, as a consumer of Sidoarjo is not one of Surabaya.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National admin")
    PROVINCE_ADMIN = "province_admin", _("Province admin")
    SATKER_ADMIN = "satker_admin", _("Satker admin")
    OFFICER = "officer", _("Officer")
    CONSUMER = "consumer", _("Consumer")


PUBLIC_ROLES = {Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN}
SATKER_ROLES = {Role.SATKER_ADMIN, Role.OFFICER, Role.CONSUMER}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.NATIONAL_ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONSUMER)
    # Only for province admins: the province satker whose satkers they manage.
    managed_province = models.ForeignKey(
        "tenants.Satker", null=True, blank=True, on_delete=models.PROTECT, related_name="province_admins"
    )
    language = models.CharField(_("language"), max_length=5, default="id")
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted at"), null=True, blank=True)
    # On a satker: the consumer's HaloPST account on the portal (its user id in the public
    # schema) that signs them in here; one local account per portal account.
    portal_identity = models.PositiveBigIntegerField(_("HaloPST account"), null=True, blank=True, unique=True)
    # In-app notifications are always on; these two are the user's choice.
    notify_by_email = models.BooleanField(_("notify me by email"), default=True)
    notify_by_whatsapp = models.BooleanField(_("notify me by WhatsApp"), default=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="province_admin_has_province",
                condition=Q(role="province_admin", managed_province__isnull=False)
                | (~Q(role="province_admin") & Q(managed_province__isnull=True)),
            ),
            models.CheckConstraint(name="email_is_lowercase", condition=Q(email=models.functions.Lower("email"))),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Invitation(models.Model):
    """An e-mailed, single-use link that lets a person set up an account with a given role.

    Only the SHA-256 of the token is stored, so a leaked database holds no usable link. The
    token is a keyed hash of `salt` (core.services.invitation_token): the e-mail task recomputes
    it from the row, so no secret travels through the broker either.
    """

    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    managed_province = models.ForeignKey("tenants.Satker", null=True, blank=True, on_delete=models.CASCADE)
    token_sha256 = models.CharField(max_length=64, unique=True)
    salt = models.CharField(max_length=32, blank=True)
    invited_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(accepted_at__isnull=True), name="one_open_invitation_per_email"
            ),
            models.CheckConstraint(
                name="invitation_province_admin_has_province",
                condition=Q(role="province_admin", managed_province__isnull=False)
                | (~Q(role="province_admin") & Q(managed_province__isnull=True)),
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.role})"

    @property
    def is_open(self):
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """What an admin did, where, when. Append-only: a database trigger refuses UPDATE and
    DELETE (core/migrations), so not even a bug or a console session can rewrite it."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_email = models.CharField(max_length=254)
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=60)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.target}"

"""Every write to accounts: sign-up, invitations and their acceptance. One transaction each."""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

import django_otp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import record
from core.errors import Conflict
from core.models import PUBLIC_ROLES, SATKER_ROLES, Invitation, Role, User

# Sent inside `update_profile`'s transaction (sender=User, user, fields): apps above core that
# keep a public copy of a name (the portal's directory) refresh it in the same transaction.
profile_updated = Signal()
# Sent inside `invite_user`'s transaction (sender=Invitation, invitation): the outbox
# (realtime, above core) queues the e-mail, sent once the invitation is committed.
invitation_created = Signal()


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles_allowed_here():
    return PUBLIC_ROLES if connection.schema_name == "public" else SATKER_ROLES


@transaction.atomic
def register_consumer(*, full_name: str, email: str, whatsapp: str, password: str, consent: bool) -> User:
    """A data consumer signs up on their satker's site, or on the portal for a HaloPST account
    that signs them in at every satker (sign_in_from_portal)."""
    if not consent:
        raise ValidationError({"consent": _("You must accept the privacy notice to sign up.")})
    email = email.strip().lower()
    user = User(full_name=full_name.strip(), email=email, whatsapp=whatsapp.strip(), role=Role.CONSUMER)
    validate_password(password, user)
    user.set_password(password)
    user.privacy_consent_at = timezone.now()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"email": _("An account with this email already exists.")}) from None
    return user


# --- One HaloPST account for every satker ----------------------------------------------------
#
# A consumer's HaloPST account lives on the portal (public schema). Each satker keeps its own
# local account for them, linked by `User.portal_identity`; sessions stay host-only. The portal
# sends the consumer to a satker with a signed statement: whose account, for which satker,
# valid once and for a minute.

PORTAL_SIGN_IN_SALT = "halopst.portal-sign-in"
PORTAL_SIGN_IN_SECONDS = 60


def portal_sign_in_token(identity: User, satker_code: str, state: str) -> str:
    """On the portal: the statement that `identity` signs in at the satker `satker_code`, for
    the browser session there that asked (`state`, kept in that session)."""
    if connection.schema_name != "public" or identity.role != Role.CONSUMER:
        raise PermissionDenied(
            _("Only consumers' HaloPST accounts sign in at every office; staff sign in at their own.")
        )
    claims = {
        "identity": identity.pk,
        "email": identity.email,
        "name": identity.full_name,
        "whatsapp": identity.whatsapp,
        "aud": satker_code,
        "state": state,
        "nonce": secrets.token_urlsafe(16),
    }
    return signing.dumps(claims, salt=PORTAL_SIGN_IN_SALT, compress=True)


@transaction.atomic
def sign_in_from_portal(token: str, satker_code: str, state: str, current: User | None = None) -> User:
    """On a satker: the local account the portal's statement signs in — the one linked to that
    HaloPST account, else the signed-in consumer `current` (who links it), else a new one.

    The statement must name the `state` this browser's session here was given when it went to
    the portal: a link made for someone else's browser signs nobody in and links nothing (else
    a stranger could link their HaloPST account to a signed-in victim's account). An existing
    local account with the same e-mail is never linked by the e-mail alone: nobody has proved
    that address, so its owner links it from their profile after signing in."""
    refused = _("This sign-in link is not valid. Start again from the HaloPST portal.")
    try:
        claims = signing.loads(token, salt=PORTAL_SIGN_IN_SALT, max_age=PORTAL_SIGN_IN_SECONDS)
    except signing.SignatureExpired:
        raise ValidationError(_("This sign-in link has expired. Start again from the HaloPST portal.")) from None
    except signing.BadSignature:
        raise ValidationError(refused) from None
    if claims.get("aud") != satker_code or not state or not secrets.compare_digest(claims.get("state", ""), state):
        raise ValidationError(refused)
    if not cache.add(f"portal-sign-in:{claims['nonce']}", 1, timeout=PORTAL_SIGN_IN_SECONDS * 2):
        raise ValidationError(_("This sign-in link was already used. Start again from the HaloPST portal."))
    linked = User.objects.filter(portal_identity=claims["identity"]).first()
    if linked is not None:
        if not linked.is_active:
            raise PermissionDenied(_("This account is closed at this office."))
        return linked
    if current is not None and current.is_authenticated:
        if current.role != Role.CONSUMER or current.portal_identity is not None:
            raise Conflict(_("This account cannot be linked to a HaloPST account."))
        current.portal_identity = claims["identity"]
        current.save(update_fields=["portal_identity"])
        record(current, "account.link_portal", current.email)
        return current
    if User.objects.filter(email=claims["email"]).exists():
        raise Conflict(
            _(
                "An account with this e-mail already exists at this office. Sign in with its password, "
                "then link your HaloPST account from your profile."
            )
        )
    user = User(
        email=claims["email"],
        full_name=claims["name"],
        whatsapp=claims["whatsapp"],
        role=Role.CONSUMER,
        portal_identity=claims["identity"],
        privacy_consent_at=timezone.now(),  # accepted when the HaloPST account was made
    )
    user.set_unusable_password()
    user.save()
    record(user, "account.from_portal", user.email)
    return user


@transaction.atomic
def invite_user(
    *, email: str, role: str, actor=None, full_name: str = "", managed_province=None, audit_target: str = ""
) -> Invitation:
    """Create an invitation in the current schema, audited there as `actor`'s, and e-mail its
    link through the outbox once the transaction commits.

    An open invitation for the same address is replaced, so "resend" is the same call.
    """
    if role not in _roles_allowed_here():
        raise ValidationError({"role": _("This role cannot be invited here.")})
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email already exists.")})
    Invitation.objects.filter(email=email, accepted_at__isnull=True).delete()
    salt = secrets.token_hex(16)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name,
        role=role,
        managed_province=managed_province,
        salt=salt,
        token_sha256=_token_digest(_keyed_token(salt)),
        invited_by=getattr(actor, "email", ""),
        expires_at=timezone.now() + timedelta(days=settings.HALOPST_INVITATION_DAYS),
    )
    # The target is what the log is read by: the address, or (console invitations) the satker's code.
    record(
        actor,
        "officer.invite" if role == Role.OFFICER else "admin.invite",
        audit_target or email,
        email=email,
        role=role,
    )
    invitation_created.send(sender=Invitation, invitation=invitation)
    return invitation


def _keyed_token(salt: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"halopst-invitation:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def invitation_token(invitation: Invitation) -> str:
    """The secret of an invitation's link, from its salt and the secret key (neither the row
    nor the outbox holds it)."""
    return _keyed_token(invitation.salt)


def invitation_path(invitation_id: int) -> str | None:
    """The path of an invitation's link, made when its e-mail is sent; None once it was
    withdrawn (a new invitation to the same address replaces it), accepted or has expired."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        return None
    return reverse("accept_invitation", args=[invitation_token(invitation)])


def find_open_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.filter(token_sha256=_token_digest(token)).first()
    return invitation if invitation is not None and invitation.is_open else None


@transaction.atomic
def accept_invitation(*, token: str, full_name: str, password: str) -> User:
    invitation = Invitation.objects.select_for_update().filter(token_sha256=_token_digest(token)).first()
    if invitation is None or not invitation.is_open:
        raise ValidationError(_("This invitation link is invalid or has expired."))
    user = User(
        email=invitation.email,
        full_name=full_name.strip() or invitation.full_name,
        role=invitation.role,
        managed_province=invitation.managed_province,
        is_staff=invitation.role in PUBLIC_ROLES,
    )
    validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"email": _("An account with this email already exists.")}) from None
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def purge_expired_invitations() -> int:
    """Delete invitations nobody accepted in time. Runs in each satker's schema from beat."""
    deleted, _details = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lte=timezone.now()).delete()
    return deleted


PROFILE_FIELDS = ("full_name", "whatsapp", "language", "notify_by_email", "notify_by_whatsapp")


@transaction.atomic
def update_profile(user: User, **values) -> User:
    """A user edits their own name, WhatsApp number, language and notification channels."""
    for name in PROFILE_FIELDS:
        if name in values:
            setattr(user, name, values[name].strip() if isinstance(values[name], str) else values[name])
    user.full_clean(exclude=["password", "managed_province"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=[name for name in PROFILE_FIELDS if name in values])
    profile_updated.send(sender=User, user=user, fields=[name for name in PROFILE_FIELDS if name in values])
    return user


ADMIN_ROLES = {Role.SATKER_ADMIN, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN}


# --- Two-factor (django-otp) ------------------------------------------------------------------
#
# An admin has one TOTP device (their authenticator app) and, once it is confirmed, one static
# device holding ten recovery codes. django-otp keeps the verified device in the session
# (`otp_device_id`); its middleware puts it on `request.user`.


def needs_two_factor(user) -> bool:
    return user.is_authenticated and user.role in ADMIN_ROLES


def two_factor_verified(user, session) -> bool:
    """Whether `session` holds a confirmed device of `user` that accepted a code: the check
    of django_otp.middleware.OTPMiddleware, for places without a request (WebSockets)."""
    device_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(device_id) if device_id else None
    return device is not None and device.user_id == user.pk and device.confirmed


@transaction.atomic
def two_factor_device(user: User) -> TOTPDevice:
    """The admin's authenticator device, created unconfirmed (with a fresh key) on first use.
    The user's row lock makes two tabs opening the page at once share one device."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    device = TOTPDevice.objects.filter(user=user).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def two_factor_secret(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app (base32)."""
    return base64.b32encode(device.bin_key).decode()


def verify_two_factor(request, code: str) -> None:
    """Check the admin's code (six digits from the app, or a recovery code); on success the
    session counts as verified (and the device as confirmed, the first time)."""
    problem = _check_two_factor_code(request, code)
    if problem:
        raise ValidationError({"code": problem})


@transaction.atomic
def _check_two_factor_code(request, code: str) -> str:
    """The reason `code` is refused, or "" once the session is verified. Refusals commit too:
    django-otp counts them to slow the next try.

    The device row is locked while it is checked: django-otp refuses a time step at or before
    the last accepted one (RFC 6238 §5.2), and of two sessions sending the same code at once
    only the first may see the step as new.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=two_factor_device(request.user).pk)
    code = (code or "").strip().replace(" ", "")
    if code.isdigit():
        used, problem = _check_app_code(device, code)
    elif device.confirmed:
        used, problem = _use_recovery_code(request.user, code)
    else:
        used, problem = None, ""
    if used is None:
        return problem or _("That code is not right. Check the time on your phone and try again.")
    request.session.cycle_key()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.session[NEW_RECOVERY_CODES_SESSION_KEY] = new_recovery_codes(request.user)
    django_otp.login(request, used)
    return ""


def _wait_message(device) -> str:
    allowed, why = device.verify_is_allowed()
    if allowed:
        return ""
    seconds = max(1, int((why["locked_until"] - timezone.now()).total_seconds() + 0.999))
    return _("Too many wrong codes. Try again in %(seconds)s seconds.") % {"seconds": seconds}


def _check_app_code(device: TOTPDevice, code: str) -> tuple[TOTPDevice | None, str]:
    if waiting := _wait_message(device):
        return None, waiting
    if device.verify_token(code):
        return device, ""
    # The right code whose time step was already accepted: seen over a shoulder, or replayed.
    if TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).verify(int(code), device.tolerance):
        return None, _("That code was already used. Wait for the next code in your app.")
    return None, ""


RECOVERY_CODES = 10
NEW_RECOVERY_CODES_SESSION_KEY = "halopst_new_recovery_codes"


def recovery_hash(code: str) -> str:
    """What a recovery code is stored as (django-otp's static token, 16 characters): a keyed
    hash, so a leaked table alone does not let anyone try the short codes offline."""
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:16]


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Replace the admin's recovery codes with RECOVERY_CODES fresh ones, returned once in the clear."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2)) for _ in range(RECOVERY_CODES)
    ]
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery codes"})
    device.token_set.all().delete()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_hash(code)) for code in codes])
    record(user, "two_factor.new_recovery_codes", user.email)
    return codes


def _use_recovery_code(user: User, code: str) -> tuple[StaticDevice | None, str]:
    """Spend one unused recovery code; a code works once, even when two tabs send it at once
    (the device's row lock orders them)."""
    device = StaticDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        return None, ""
    if waiting := _wait_message(device):
        return None, waiting
    return (device, "") if device.verify_token(recovery_hash(code)) else (None, "")


# --- Lockouts (django-axes) -----------------------------------------------------------------


def lockouts() -> list[dict]:
    """Accounts of this schema that failed logging in often enough, within the cool-off, to be
    locked now (django-axes adds up an account's failures over all addresses; addresses are not
    locked, only slowed by core.ratelimit)."""
    from axes.models import AccessAttempt
    from django.db.models import Max, Sum

    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    locked = []
    for field in settings.AXES_LOCKOUT_PARAMETERS:
        rows = (
            recent.values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        locked += [
            {"field": field, "value": row[field], "failures": row["failures"], "last": row["last"]} for row in rows
        ]
    return locked


@transaction.atomic
def unlock(*, username: str = "", ip_address: str | None = None, actor=None) -> int:
    """Forget the failed logins of an account or an address in this schema; returns how many."""
    from axes.utils import reset

    unlocked = reset(username=username) if username else 0
    unlocked += reset(ip=ip_address) if ip_address else 0
    record(actor, "account.unlock", username, ip_address=ip_address, unlocked=unlocked)
    return unlocked

"""Notifications: the outbox, delivery with retries, pushes to open sockets, provider events.

`notify` writes the notification and its deliveries in the caller's transaction; everything
that leaves the database (socket pushes, provider calls) happens after commit. A delivery is
sent by `deliver`: claim (a short transaction that commits `sending`), then, in a second
transaction that holds the delivery's row lock, call the provider and record the outcome.

The row lock is the worker's lease: the sweeper takes over only `sending` rows it can lock, so a
live worker keeps its claim however slow the provider or the machine is, and a dead worker's
lock goes with its connection. Once recorded as accepted a delivery is never sent again. A send
whose answer never came (the provider may have accepted it) is `unconfirmed`: the provider's
status event settles it, and only without one, after HALOPST_DELIVERY_CONFIRM_SECONDS, is it
sent again. The one window left for a duplicate is a worker dying between the provider's
acceptance and its record.
"""

import random
from datetime import timedelta
from fnmatch import fnmatch
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from core.audit import record
from core.errors import Conflict
from core.services import invitation_path
from core.tasking import enqueue_after_commit
from core.tenancy import current_satker
from core.text import normalise_whatsapp_number
from realtime import providers
from realtime import push as push_queue
from realtime.catalog import render
from realtime.models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    PushSubscription,
)
from tenants.channels import group_name

# --- Writing notifications ----------------------------------------------------------------

PUSH_ADDRESS = "web push"  # a push delivery goes to every subscribed browser of the recipient


def notify(
    recipient,
    kind: str,
    context: dict,
    *,
    link: str = "",
    dedupe_key: str | None = None,
    attachment: tuple[str, str, str] | None = None,
) -> Notification | None:
    """Record a notification for `recipient` and queue its deliveries, in the current transaction.

    With a `dedupe_key` already used, nothing happens and None is returned (reminders).
    `attachment` (filename, mime, text) travels with the e-mail, e.g. an .ics invitation.
    """
    text = render(kind, context, recipient.language)
    name, mime, content = attachment or ("", "", "")
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                title=text.title,
                body=text.body,
                context=context,
                link=link,
                dedupe_key=dedupe_key,
                attachment_name=name,
                attachment_mime=mime,
                attachment_text=content,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    deliveries = []
    if recipient.notify_by_email and recipient.email:
        deliveries.append(Delivery(notification=notification, channel=Channel.EMAIL, address=recipient.email))
    number = normalise_whatsapp_number(recipient.whatsapp)
    if recipient.notify_by_whatsapp and number and settings.HALOPST_WHATSAPP_TOKEN:
        deliveries.append(Delivery(notification=notification, channel=Channel.WHATSAPP, address=number))
    if settings.HALOPST_VAPID_PRIVATE_KEY and PushSubscription.objects.filter(user=recipient).exists():
        deliveries.append(Delivery(notification=notification, channel=Channel.PUSH, address=PUSH_ADDRESS))
    _queue(deliveries)
    push_unread_after_commit(recipient, notification)
    return notification


INVITATION = "invitation"


def notify_invitee(invitation) -> Notification:
    """E-mail an invitation through the outbox, in the current transaction. Nothing stored
    holds the link's secret: it is made from the invitation when the e-mail is sent
    (core.services.invitation_path), and a withdrawn or accepted invitation is not sent."""
    satker = current_satker()
    context = {
        "invitation": invitation.pk,
        "name": invitation.full_name,
        "satker": satker.title,
        "role": invitation.role,
        "valid_until": timezone.localtime(invitation.expires_at, ZoneInfo(satker.timezone)).date().isoformat(),
    }
    text = render(INVITATION, context, "id")
    notification = Notification.objects.create(kind=INVITATION, title=text.title, body=text.body, context=context)
    _queue([Delivery(notification=notification, channel=Channel.EMAIL, address=invitation.email)])
    return notification


def _queue(deliveries: list[Delivery]) -> None:
    from realtime.tasks import deliver

    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_after_commit(deliver, delivery.pk)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_payload(notification: Notification, language: str) -> dict:
    text = notification.in_language(language)
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": text.title,
        "body": text.body,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def push_unread_after_commit(user, notification: Notification | None = None) -> None:
    """After commit, tell every open socket of `user` the unread count (read from the database)
    and, if given, the new notification (realtime.push batches these)."""
    schema_name = connection.schema_name
    notification_id = notification.pk if notification is not None else None
    transaction.on_commit(lambda: push_queue.committed(schema_name, user.pk, notification_id))


def push_to_user(user, payload: dict) -> None:
    """Send `payload` to every open socket of `user` in the current satker, after commit."""
    group = group_name(connection.schema_name, "user", user.pk)
    transaction.on_commit(lambda: push_queue.group_send(group, {"type": "user.message", "payload": payload}))


@transaction.atomic
def mark_read(user, notification_ids) -> int:
    changed = Notification.objects.filter(recipient=user, pk__in=notification_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    push_unread_after_commit(user)
    return changed


@transaction.atomic
def mark_all_read(user) -> int:
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    push_unread_after_commit(user)
    return changed


# --- Delivering -----------------------------------------------------------------------


def backoff_seconds(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, at least what the provider asked for."""
    base = settings.HALOPST_DELIVERY_BACKOFF_SECONDS
    ceiling = min(6 * 3600, base * 2 ** max(0, attempts - 1))
    return max(retry_after or 0, random.uniform(ceiling / 2, ceiling))


def claim(delivery_id: int) -> Delivery | None:
    """Take a due delivery for sending, or None if it is not due, already taken or done."""
    with transaction.atomic():
        delivery = (
            # Lock the delivery only: the recipient is an outer join (invitations have none).
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.claimed_at = timezone.now()
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts", "updated_at"])
        return delivery


def deliver(delivery_id: int) -> float | None:
    """Send one delivery. Returns the delay before the next attempt when one is due, else None."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    with transaction.atomic():
        # Still ours? The sweeper may have taken the claim over between the two transactions.
        held = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery.pk, status=DeliveryStatus.SENDING, attempts=delivery.attempts)
            .exists()
        )
        if not held:
            return None
        try:
            provider_id = _send(delivery)
        except providers.UncertainOutcome as failure:
            _record_uncertain(delivery, failure)
            return None
        except providers.TemporaryFailure as failure:
            return _record_failure(delivery, AttemptOutcome.TEMPORARY, failure, failure.retry_after)
        except providers.PermanentFailure as failure:
            return _record_failure(delivery, AttemptOutcome.PERMANENT, failure)
        _record_success(delivery, provider_id)
        return None


def _reference(delivery: Delivery) -> dict:
    return {"halopst_schema": connection.schema_name, "halopst_delivery": str(delivery.pk)}


def _link(notification: Notification, satker) -> str:
    """Where the message leads. An invitation's link is made now, from the invitation itself."""
    if notification.kind == INVITATION:
        path = invitation_path(notification.context["invitation"])
        if path is None:
            raise providers.PermanentFailure("the invitation was withdrawn, accepted or has expired")
        return satker.url(path)
    return satker.url(notification.link) if notification.link else satker.url()


def _send(delivery: Delivery) -> str:
    notification = delivery.notification
    recipient = notification.recipient
    language = (recipient.language if recipient else "") or "id"
    satker = current_satker()
    link = _link(notification, satker)
    if delivery.channel == Channel.PUSH:
        return _send_push(notification, recipient, language, link)
    if delivery.channel == Channel.WHATSAPP:
        reference = "{halopst_schema}:{halopst_delivery}".format(**_reference(delivery))
        return providers.send_whatsapp(
            delivery.address, language, [notification.title, f"{notification.body} {link}"], reference
        )
    with translation.override(language):
        context = {"notification": notification, "satker": satker, "link": link, "recipient": recipient}
        email = providers.Email(
            to=delivery.address,
            to_name=recipient.full_name if recipient else notification.context.get("name", ""),
            subject=notification.title,
            text=render_to_string("realtime/email/notification.txt", context),
            html=render_to_string("realtime/email/notification.html", context),
            from_name=f"HaloPST {satker.title}",
            reference=_reference(delivery),
            attachment=(
                (notification.attachment_name, notification.attachment_mime, notification.attachment_text)
                if notification.attachment_name
                else None
            ),
        )
    return providers.send_email(email)


def _send_push(notification: Notification, recipient, language: str, link: str) -> str:
    """To every browser of the recipient that takes phone notifications; the ones their push
    service has forgotten are forgotten here too, with this attempt's outcome."""
    subscriptions = list(PushSubscription.objects.filter(user=recipient))
    if not subscriptions:
        raise providers.PermanentFailure("no browser of the recipient takes phone notifications any more")
    text = notification.in_language(language)
    outcome = providers.send_push(
        [providers.PushTarget(s.endpoint, s.p256dh, s.auth) for s in subscriptions],
        {"title": text.title, "body": text.body, "link": link, "tag": f"notification-{notification.pk}"},
    )
    PushSubscription.objects.filter(user=recipient, endpoint__in=outcome.gone).delete()
    PushSubscription.objects.filter(user=recipient, endpoint__in=list(outcome.accepted)).update(
        last_used_at=timezone.now()
    )
    return outcome.provider_id()


@transaction.atomic
def subscribe_push(user, *, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Remember a browser for phone notifications. An endpoint is one browser: subscribed again
    (new keys, or another account signing in on it) it is updated, never doubled. The worker
    will POST to the endpoint, so only a browser push service (HALOPST_PUSH_SERVICES) is taken,
    never an address inside our network that someone typed."""
    parts = urlsplit(endpoint)
    if not any(fnmatch(f"{parts.scheme}://{parts.netloc}", allowed) for allowed in settings.HALOPST_PUSH_SERVICES):
        raise ValidationError({"endpoint": [_("This is not the address of a browser push service.")]})
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    )
    record(user, "push.subscribe", user.email, browser=user_agent[:120])
    return subscription


@transaction.atomic
def unsubscribe_push(user, endpoint: str) -> bool:
    deleted, _kinds = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if deleted:
        record(user, "push.unsubscribe", user.email)
    return bool(deleted)


@transaction.atomic
def _record_success(delivery: Delivery, provider_id: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, provider_id=provider_id, last_error="", updated_at=timezone.now()
    )
    DeliveryAttempt.objects.create(delivery=delivery, outcome=AttemptOutcome.ACCEPTED, provider_id=provider_id)


def _record_uncertain(delivery: Delivery, failure: Exception) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.UNCONFIRMED,
        last_error=str(failure)[:2000],
        updated_at=timezone.now(),
        next_attempt_at=timezone.now() + timedelta(seconds=settings.HALOPST_DELIVERY_CONFIRM_SECONDS),
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        outcome=AttemptOutcome.TEMPORARY,
        detail=f"{failure}; waiting for the provider's status before sending again"[:2000],
    )


@transaction.atomic
def _record_failure(
    delivery: Delivery, outcome: str, failure: Exception, retry_after: float | None = None
) -> float | None:
    give_up = outcome == AttemptOutcome.PERMANENT or delivery.attempts >= settings.HALOPST_DELIVERY_MAX_ATTEMPTS
    delay = None if give_up else backoff_seconds(delivery.attempts, retry_after)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + timedelta(seconds=delay or 0),
        last_error=str(failure)[:2000],
        updated_at=timezone.now(),
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        outcome=outcome,
        http_status=getattr(failure, "http_status", None),
        detail=str(failure)[:2000],
    )
    return delay


@transaction.atomic
def sweep() -> int:
    """Re-queue what a crash left behind: due pending deliveries whose task was lost, and
    deliveries claimed by a worker that never reported back."""
    from realtime.tasks import deliver as deliver_task

    now = timezone.now()
    # Locked rows belong to a worker that is still sending: only unlocked ones were lost.
    lost = list(
        Delivery.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.HALOPST_DELIVERY_STALE_SECONDS),
        )
    )
    unconfirmed = list(
        Delivery.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.UNCONFIRMED, next_attempt_at__lte=now
        )
    )
    DeliveryAttempt.objects.bulk_create(
        [
            DeliveryAttempt(
                delivery=delivery,
                outcome=AttemptOutcome.TEMPORARY,
                detail="worker lost while sending; re-queued by the sweeper",
            )
            for delivery in lost
        ]
        + [
            DeliveryAttempt(
                delivery=delivery, outcome=AttemptOutcome.TEMPORARY, detail="no status from the provider; sending again"
            )
            for delivery in unconfirmed
        ]
    )
    # A delivery that used up its attempts this way stops too, as after temporary failures.
    taken = lost + unconfirmed
    spent = [delivery.pk for delivery in taken if delivery.attempts >= settings.HALOPST_DELIVERY_MAX_ATTEMPTS]
    Delivery.objects.filter(pk__in=spent).update(
        status=DeliveryStatus.FAILED,
        claimed_at=None,
        updated_at=now,
        last_error=f"no result after {settings.HALOPST_DELIVERY_MAX_ATTEMPTS} attempts",
    )
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in taken]).exclude(pk__in=spent).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, claimed_at=None
    )
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).values_list("pk", flat=True)
    )
    for pk in due:
        enqueue_after_commit(deliver_task, pk)
    return len(due)


@transaction.atomic
def retry_delivery(delivery: Delivery, *, actor=None) -> None:
    """A satker admin sends a failed delivery again."""
    from realtime.tasks import deliver as deliver_task

    if delivery.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only failed deliveries can be retried."))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    record(actor, "delivery.retry", str(delivery.pk), channel=delivery.channel)
    enqueue_after_commit(deliver_task, delivery.pk)


# --- Provider events ------------------------------------------------------------------

# Later states win; a late "sent"/"delivered" never overwrites "read" or a bounce.
_RANK = {
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
    DeliveryStatus.BOUNCED: 4,
    DeliveryStatus.DROPPED: 4,
}


def apply_provider_event(schema_name: str, delivery_id: int, status: str, provider_id: str, detail: str) -> bool:
    """Record a provider's report on one delivery of one satker. False if there is no such delivery."""
    with schema_context(schema_name), transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            return False
        DeliveryAttempt.objects.create(
            delivery=delivery,
            outcome=AttemptOutcome.EVENT,
            provider_id=provider_id,
            detail=f"{status}: {detail}"[:2000],
        )
        if _RANK.get(status, 0) > _RANK.get(delivery.status, 0) or delivery.status in (
            DeliveryStatus.PENDING,
            DeliveryStatus.SENDING,
            DeliveryStatus.UNCONFIRMED,
        ):
            delivery.status = status
            delivery.provider_id = delivery.provider_id or provider_id
            delivery.save(update_fields=["status", "provider_id", "updated_at"])
        return True

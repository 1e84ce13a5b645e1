"""What the outbox does when an app below it asks for a message (explicit calls go downward;
core, below realtime, announces through a signal)."""

from django.dispatch import receiver

from core.services import invitation_created
from realtime.services import notify_invitee


@receiver(invitation_created)
def email_the_invitation(sender, invitation, **kwargs):
    notify_invitee(invitation)

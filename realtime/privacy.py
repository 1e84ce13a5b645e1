"""A user's notifications in their data export; deleting the account deletes them."""

from realtime.models import Notification


def personal_data_of(user) -> dict:
    return {
        "notifications": list(Notification.objects.filter(recipient=user).values("kind", "title", "body", "created_at"))
    }


def erase_personal_data(user) -> None:
    Notification.objects.filter(recipient=user).delete()  # deliveries (with addresses) go with them

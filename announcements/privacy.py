"""The topics a user follows, in their data export; deleting the account unfollows them."""

from announcements.models import TopicSubscription


def personal_data_of(user) -> dict:
    return {"followed_topics": list(TopicSubscription.objects.filter(user=user).values_list("topic__slug", flat=True))}


def erase_personal_data(user) -> None:
    TopicSubscription.objects.filter(user=user).delete()

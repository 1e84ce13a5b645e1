"""Pushes to users' open sockets."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from tenants.channels import group_name


def push_to_user(user, payload: dict) -> None:
    """Send `payload` to every open socket of `user` in the current satker, after commit."""
    satker = connection.tenant
    group = group_name(satker, "user", user.pk)

    def send():
        async_to_sync(get_channel_layer().group_send)(group, {"type": "user.message", "payload": payload})

    transaction.on_commit(send)

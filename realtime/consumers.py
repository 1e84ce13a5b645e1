"""WebSocket consumers. Every one runs behind tenants.channels.SatkerWebsocketMiddleware."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.metrics import WEBSOCKETS
from tenants.channels import CLOSE_UNAUTHENTICATED, group_name, in_satker


class SatkerUserConsumer(AsyncJsonWebsocketConsumer):
    """Base for sockets of a signed-in user of this satker: joins the user's own group.

    Anyone else is closed with 4401. Subclasses say what to send on connect and how to
    render events sent to the user's group.
    """

    async def connect(self):
        self.satker = self.scope["satker"]
        self.user = self.scope["user"]
        if not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_group = group_name(self.satker.schema_name, "user", self.user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()
        WEBSOCKETS.labels(type(self).__name__).inc()
        await self.send_json(await in_satker(self.satker, self.greeting))

    async def disconnect(self, code):
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
            WEBSOCKETS.labels(type(self).__name__).dec()

    def greeting(self) -> dict:
        raise NotImplementedError


class NotificationConsumer(SatkerUserConsumer):
    """`/ws/notifications/`: on (re)connect, who the tab is signed in as and the unread count
    read from the database (a dropped connection never leaves a wrong badge); then every new
    notification and count change pushed to the user's group, from any web or worker process."""

    def greeting(self):
        from realtime.services import unread_count

        return {
            "type": "hello",
            "satker": self.satker.code,
            "user": self.user.email,
            "role": self.user.role,
            "unread": unread_count(self.user),
        }

    async def user_message(self, event):
        await self.send_json(event["payload"])

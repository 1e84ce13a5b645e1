"""The command centre's socket: `/ws/pusat-komando/` on the portal."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core.metrics import WEBSOCKETS
from core.models import Role
from insights.reports import command_centre_group
from tenants.channels import CLOSE_UNAUTHENTICATED, in_satker

CLOSE_NOT_ALLOWED = 4403


class CommandCentreConsumer(AsyncJsonWebsocketConsumer):
    """Province admins hear the rows of their own province's satkers, national admins every
    row. The group is chosen from the user's own record, never from anything the client sends."""

    async def connect(self):
        satker, user = self.scope["satker"], self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not satker.is_public or user.role not in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN):
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        if user.role == Role.NATIONAL_ADMIN:
            watched = "all"
        else:
            province = await in_satker(satker, lambda: user.managed_province)
            watched = province.code if province else None
        if watched is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.group = command_centre_group(watched)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        WEBSOCKETS.labels(type(self).__name__).inc()
        await self.send_json({"type": "hello", "watching": watched})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            WEBSOCKETS.labels(type(self).__name__).dec()

    async def command_centre_row(self, event):
        await self.send_json({"type": "row", "row": event["row"]})

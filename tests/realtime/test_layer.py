"""group_send_many: many groups' messages in one go reach exactly their groups' channels, in the
order given, and a full queue drops (and counts) rather than blocks."""

import asyncio
import uuid

import pytest
from django.conf import settings

from realtime.layer import BatchingRedisChannelLayer

pytestmark = pytest.mark.timeout(60)


def layer(prefix: str, **config) -> BatchingRedisChannelLayer:
    return BatchingRedisChannelLayer(**{**settings.CHANNEL_LAYERS["default"]["CONFIG"], "prefix": prefix, **config})


def fresh_prefix() -> str:
    return f"test-layer-{uuid.uuid4().hex[:8]}"


def test_each_group_gets_its_own_messages_in_order_across_processes():
    async def scenario():
        prefix = fresh_prefix()
        web_a, web_b = layer(prefix), layer(prefix)  # two web processes on one Redis
        andi_tab, andi_other_tab = await web_a.new_channel(), await web_a.new_channel()
        andi_phone, budi = await web_b.new_channel(), await web_a.new_channel()
        for group, channel in (("andi", andi_tab), ("andi", andi_other_tab), ("andi", andi_phone), ("budi", budi)):
            await web_a.group_add(group, channel)

        dropped = await web_a.group_send_many(
            [
                ("andi", {"type": "user.message", "n": 1}),
                ("budi", {"type": "user.message", "n": 2}),
                ("andi", {"type": "user.message", "n": 3}),
                ("nobody", {"type": "user.message", "n": 4}),
            ]
        )
        assert dropped == 0
        for channel, receiver in ((andi_tab, web_a), (andi_other_tab, web_a), (andi_phone, web_b)):
            assert [(await receiver.receive(channel))["n"] for _ in range(2)] == [1, 3]
        assert (await web_a.receive(budi))["n"] == 2
        for channel, receiver in ((andi_tab, web_a), (budi, web_a), (andi_phone, web_b)):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(receiver.receive(channel), 0.3)
        await web_a.flush()

    asyncio.run(scenario())


def test_a_full_queue_drops_and_counts():
    async def scenario():
        web = layer(fresh_prefix(), capacity=2)
        slow = await web.new_channel()
        await web.group_add("slow", slow)
        assert await web.group_send_many([("slow", {"type": "user.message", "n": n}) for n in range(5)]) == 3
        assert [(await web.receive(slow))["n"] for _ in range(2)] == [0, 1]
        await web.flush()

    asyncio.run(scenario())

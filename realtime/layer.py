"""The channel layer, with one addition: `group_send_many`, many groups' messages in two Redis
round trips.

channels_redis sends to one group at a time, four round trips each (expire the group, read its
members, expire their queues, push): a commit that notifies a hundred users paid four hundred
(issue #16: p99 143-162 ms from commit to socket). Here the groups' members are read in one
pipeline per Redis server, and every message is pushed in one script per server. Messages are
stored exactly as `group_send` stores them, so the receiving side is channels_redis's own.
"""

import collections
import time

from channels_redis.core import RedisChannelLayer

# As channels_redis's group send, with a score per message: messages of one batch for one
# socket's process keep their order (a shared score would order them by their random prefix).
PUSH_LUA = """
local count = #KEYS
local expiry = ARGV[#ARGV]
local over_capacity = 0
for i = 1, count do
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[count + i]) then
        redis.call('ZADD', KEYS[i], ARGV[2 * count + i], ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class BatchingRedisChannelLayer(RedisChannelLayer):
    async def group_send_many(self, sends: list[tuple[str, dict]]) -> int:
        """Send each `(group, message)`; returns how many deliveries were dropped (queue full)."""
        members = await self._members_of({group for group, _message in sends})
        pushes = collections.defaultdict(list)  # connection index -> [(key, serialized, capacity)]
        for group, message in sends:
            if not members[group]:
                continue
            by_connection, messages, capacities = self._map_channel_keys_to_connection(members[group], message)
            for index, keys in by_connection.items():
                pushes[index].extend((key, messages[key], capacities[key]) for key in keys)
        dropped = 0
        now = time.time()
        for index, batch in pushes.items():
            keys = [key for key, _message, _capacity in batch]
            pipe = self.connection(index).pipeline(transaction=False)
            for key in set(keys):
                pipe.zremrangebyscore(key, min=0, max=int(now) - int(self.expiry))
            scores = [now + position * 1e-6 for position in range(len(batch))]
            arguments = [message for _key, message, _capacity in batch] + [capacity for *_rest, capacity in batch]
            pipe.eval(PUSH_LUA, len(keys), *keys, *arguments, *scores, self.expiry)
            dropped += (await pipe.execute())[-1]
        return dropped

    async def _members_of(self, groups: set[str]) -> dict[str, list[str]]:
        """Each group's channels, its expired memberships dropped first (as group_send does)."""
        by_connection = collections.defaultdict(list)
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
            by_connection[self.consistent_hash(group)].append(group)
        members = {}
        oldest = int(time.time()) - self.group_expiry
        for index, names in by_connection.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for name in names:
                pipe.zremrangebyscore(self._group_key(name), min=0, max=oldest)
                pipe.zrange(self._group_key(name), 0, -1)
            replies = await pipe.execute()
            for name, channels in zip(names, replies[1::2]):
                members[name] = [channel.decode("utf8") for channel in channels]
        return members

"""Pushing to users' open sockets from synchronous code (views, services, Celery tasks).

Two per-process helpers, both started lazily (and again in a forked worker child):

- one asyncio loop in a daemon thread that performs channel-layer sends. `async_to_sync`
  would start a loop, and a new Redis pool, per call: a commit notifying a hundred users paid
  that a hundred times in a row (bench/ws_fanout.py: p50 219 ms from commit to socket);
- one flusher thread that turns committed pushes into messages in batches: a single unread
  count query and a single notification query per satker per batch, however many users, and
  the batch's messages sent together (realtime.layer: two Redis round trips, not four per user).

Only committed pushes reach the flusher (they are queued by on-commit callbacks, which a
rolled-back transaction or savepoint discards), and the counts are read after commit, from the
database: what a socket shows is the truth at that moment.
"""

import asyncio
import logging
import os
import queue
import threading
from collections import defaultdict

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

MAX_CONCURRENT_SENDS = 32

_lock = threading.Lock()
_state = {"pid": None}


def _start() -> dict:
    with _lock:
        if _state["pid"] != os.getpid():  # first use, or a forked worker child
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="halopst-channel-push", daemon=True).start()
            pending = queue.Queue()
            threading.Thread(target=_flush_forever, args=(pending,), name="halopst-push-flusher", daemon=True).start()
            _state.update(
                pid=os.getpid(),
                loop=loop,
                queue=pending,
                semaphore=asyncio.run_coroutine_threadsafe(_make_semaphore(), loop).result(),
            )
        return _state


async def _make_semaphore():
    return asyncio.Semaphore(MAX_CONCURRENT_SENDS)


async def _send(group: str, message: dict) -> None:
    async with _state["semaphore"]:
        try:
            await get_channel_layer().group_send(group, message)
        except Exception:  # one retry: a pooled connection may have gone stale
            await get_channel_layer().group_send(group, message)


def _report(future):
    if future.exception() is not None:
        logger.error("channel-layer push failed: %r", future.exception())


def group_send(group: str, message: dict):
    """Queue `message` for `group`; returns a concurrent.futures.Future of the send."""
    state = _start()
    future = asyncio.run_coroutine_threadsafe(_send(group, message), state["loop"])
    future.add_done_callback(_report)
    return future


async def _send_many(sends: list[tuple[str, dict]]) -> None:
    async with _state["semaphore"]:
        try:
            dropped = await get_channel_layer().group_send_many(sends)
        except Exception:  # one retry: a pooled connection may have gone stale
            dropped = await get_channel_layer().group_send_many(sends)
    if dropped:
        logger.info(
            "%d socket messages dropped: their process's queue is full (a stopped process, or a slow one)", dropped
        )


def _send_batch(sends: list[tuple[str, dict]]):
    future = asyncio.run_coroutine_threadsafe(_send_many(sends), _start()["loop"])
    future.add_done_callback(_report)
    return future


def committed(schema_name: str, user_id: int, notification_id: int | None) -> None:
    """Called after commit: tell `user_id`'s sockets the new count (and notification)."""
    _start()["queue"].put((schema_name, user_id, notification_id))


def _flush_forever(pending: queue.Queue) -> None:
    from django.db import close_old_connections

    while True:
        batch = [pending.get()]
        while True:
            try:
                batch.append(pending.get_nowait())
            except queue.Empty:
                break
        try:
            close_old_connections()
            _flush(batch)
        except Exception:
            logger.exception("could not push %d notifications", len(batch))


def _flush(batch) -> None:
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from realtime.models import Notification
    from realtime.services import notification_payload
    from tenants.channels import group_name

    by_schema: dict[str, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    for schema_name, user_id, notification_id in batch:
        by_schema[schema_name][user_id].update([notification_id] if notification_id else [])
    for schema_name, by_user in by_schema.items():
        with schema_context(schema_name):
            counts = dict(
                Notification.objects.filter(recipient_id__in=by_user, read_at__isnull=True)
                .values_list("recipient_id")
                .annotate(unread=Count("id"))
            )
            wanted = set().union(*by_user.values())
            found = (
                {item.pk: item for item in Notification.objects.filter(pk__in=wanted).select_related("recipient")}
                if wanted
                else {}
            )
        sends = []
        for user_id, notification_ids in by_user.items():
            unread = counts.get(user_id, 0)
            payloads = [
                {
                    "type": "notification",
                    "unread": unread,
                    "notification": notification_payload(found[pk], found[pk].recipient.language),
                }
                for pk in sorted(notification_ids)
                if pk in found
            ] or [{"type": "unread", "unread": unread}]
            group = group_name(schema_name, "user", user_id)
            sends += [(group, {"type": "user.message", "payload": payload}) for payload in payloads]
        _send_batch(sends)

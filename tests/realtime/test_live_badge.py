"""The live badge: an approval reaches the consumer's sockets, in this process and in another
web process sharing Redis, and nobody else's."""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import schema_context

from booking import services as booking
from halopst.asgi import application
from tests.booking.conftest import at, make_officer, next_weekday, request
from tests.conftest import client_for, create_user, host_of

pytestmark = pytest.mark.timeout(90)


def communicator(satker, cookie):
    host = host_of(satker)
    return WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"host", host.encode()),
            (b"origin", f"http://{host}".encode()),
            (b"cookie", f"sessionid={cookie}".encode()),
        ],
    )


@pytest.fixture
def scene(make_satker):
    a, b = make_satker(), make_satker()
    officer = make_officer(a, "rina@a.example")
    consumer = create_user(a, "andi@example.com", id=501)
    bystander = create_user(a, "lain@example.com")
    twin = create_user(b, "kembar@example.com", id=501)  # same id, other satker
    booked = request(a, consumer, officer, at(a, next_weekday(a.timezone, 0), 8))
    cookies = {
        name: client_for(satker, user).cookies["sessionid"].value
        for name, satker, user in (("consumer", a, consumer), ("bystander", a, bystander), ("twin", b, twin))
    }
    return a, b, officer, booked, cookies


def test_approval_reaches_every_tab_of_the_consumer_and_nobody_else(scene, web_server):
    a, b, officer, booked, cookies = scene

    async def scenario():
        tabs = [communicator(a, cookies["consumer"]), communicator(a, cookies["consumer"])]
        others = [communicator(a, cookies["bystander"]), communicator(b, cookies["twin"])]
        for socket in tabs + others:
            assert (await socket.connect())[0]
        hellos = [await socket.receive_json_from() for socket in tabs + others]
        assert [hello["unread"] for hello in hellos] == [0, 0, 0, 0]

        # A tab on a second web process (a Daphne subprocess sharing Redis).
        url = web_server.format(a.subdomain).replace("http://", "ws://") + "/ws/notifications/"
        port = int(url.split(":")[2].split("/")[0])
        # The satker's name goes in the Host header; the connection itself goes to 127.0.0.1.
        async with websockets.connect(
            url,
            host="127.0.0.1",
            port=port,
            additional_headers={"Origin": web_server.format(a.subdomain), "Cookie": f"sessionid={cookies['consumer']}"},
        ) as remote:
            assert json.loads(await asyncio.wait_for(remote.recv(), 10))["unread"] == 0

            def approve():
                with schema_context(a.schema_name):
                    booking.approve(booked.pk, officer.user, meeting_link="https://meet.example.org/42")

            await sync_to_async(approve)()
            for tab in tabs:
                pushed = await tab.receive_json_from(timeout=5)
                assert pushed["type"] == "notification" and pushed["unread"] == 1
                assert pushed["notification"]["kind"] == "consultation_approved"
            remote_push = json.loads(await asyncio.wait_for(remote.recv(), 5))
            assert remote_push["unread"] == 1 and "meet.example.org/42" in remote_push["notification"]["body"]
        for socket in others:
            assert await socket.receive_nothing(timeout=0.5)
        for socket in tabs + others:
            await socket.disconnect()

    asyncio.run(scenario())


def test_reconnecting_shows_the_count_from_the_database(scene):
    a, _b, officer, booked, cookies = scene
    with schema_context(a.schema_name):
        booking.approve(booked.pk, officer.user)
    client = client_for(a)
    client.cookies["sessionid"] = cookies["consumer"]

    async def hello():
        socket = communicator(a, cookies["consumer"])
        await socket.connect()
        greeting = await socket.receive_json_from()
        await socket.disconnect()
        return greeting["unread"]

    assert asyncio.run(hello()) == 1
    assert client.post("/api/v1/notifications/read/", {"all": True}, content_type="application/json").json() == {
        "unread": 0
    }
    assert asyncio.run(hello()) == 0
    listed = client.get("/api/v1/notifications/")
    assert listed["X-Unread-Count"] == "0" and listed.json()[0]["read"] is True

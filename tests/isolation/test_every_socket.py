"""Tenant isolation for sockets, enumerated: every WebSocket route of the project is opened
anonymously, with another satker's session, from a foreign origin and by a consumer of the
satker itself. A new route fails this test until its row below says who may open it."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from halopst.asgi import application
from halopst.routing import websocket_urlpatterns
from tests.conftest import client_for, create_user, host_of

pytestmark = pytest.mark.timeout(60)
# route → may a signed-in consumer of the satker open it on the satker's own host?
CONSUMER_MAY_OPEN = {
    "ws/notifications/": True,  # their own bell
    "ws/pusat-komando/": False,  # province and national admins, on the portal only
}


async def opens(path, host, cookie="", origin=None) -> bool:
    headers = [(b"host", host.encode()), (b"origin", f"http://{origin or host}".encode())]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/" + path, headers=headers)
    connected, _code = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


def test_every_socket_route_refuses_strangers(make_satker):
    routes = [str(pattern.pattern) for pattern in websocket_urlpatterns]
    assert set(routes) == set(CONSUMER_MAY_OPEN), "say in CONSUMER_MAY_OPEN who may open a new socket route"
    a, b = make_satker(), make_satker()
    # The same user id in both schemas: a session must follow its satker, not the number.
    a_cookie = client_for(a, create_user(a, "warga@a.example", id=77)).cookies["sessionid"].value
    b_cookie = client_for(b, create_user(b, "warga@b.example", id=77)).cookies["sessionid"].value

    async def walk():
        failures = []
        for path in routes:
            for label, opened in [
                ("anonymous", await opens(path, host_of(a))),
                ("B's session on A", await opens(path, host_of(a), b_cookie)),
                ("A's session from B's page", await opens(path, host_of(a), a_cookie, origin=host_of(b))),
                ("A's session on B", await opens(path, host_of(b), a_cookie)),
            ]:
                if opened:
                    failures.append((path, label))
            if await opens(path, host_of(a), a_cookie) != CONSUMER_MAY_OPEN[path]:
                failures.append((path, "A's own consumer", "expected", CONSUMER_MAY_OPEN[path]))
        return failures

    assert asyncio.run(walk()) == []

"""The satker-aware socket: each satker's users and groups are its own."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django_tenants.utils import schema_context

from halopst.asgi import application
from realtime.services import push_to_user
from tenants.channels import CLOSE_FORBIDDEN_ORIGIN, CLOSE_UNAUTHENTICATED, CLOSE_UNKNOWN_HOST
from tests.conftest import client_for, create_user, host_of

pytestmark = pytest.mark.timeout(60)


def socket(host, cookie="", origin=None):
    headers = [(b"host", host.encode()), (b"origin", f"http://{origin or host}".encode())]
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def session_cookie(satker, user) -> str:
    return client_for(satker, user).cookies["sessionid"].value


async def refused_with(communicator) -> int:
    connected, code = await communicator.connect()
    assert not connected
    return code


def push(satker, user, payload):
    with schema_context(satker.schema_name):
        push_to_user(user, payload)  # outside a transaction: on_commit runs at once


@pytest.fixture
def two_satkers(make_satker):
    a, b = make_satker(), make_satker()
    # Same id in both schemas: a socket must follow the satker, not the number.
    alice = create_user(a, "alice@example.com", full_name="Alice A", id=41)
    bob = create_user(b, "bob@example.com", full_name="Bob B", id=41)
    return a, alice, b, bob


def test_signed_in_user_gets_their_satker_and_pushes_for_them_only(two_satkers):
    a, alice, b, bob = two_satkers
    cookie_a, cookie_b = session_cookie(a, alice), session_cookie(b, bob)

    async def scenario():
        alice_tab1, alice_tab2 = socket(host_of(a), cookie_a), socket(host_of(a), cookie_a)
        bob_tab = socket(host_of(b), cookie_b)
        for tab in (alice_tab1, alice_tab2, bob_tab):
            connected, _ = await tab.connect()
            assert connected
        hello = await alice_tab1.receive_json_from()
        assert (hello["satker"], hello["user"]) == (a.code, "alice@example.com")
        await alice_tab2.receive_json_from()
        assert (await bob_tab.receive_json_from())["user"] == "bob@example.com"

        await sync_to_async(push)(a, alice, {"type": "ping", "n": 1})
        assert await alice_tab1.receive_json_from(timeout=5) == {"type": "ping", "n": 1}
        assert await alice_tab2.receive_json_from(timeout=5) == {"type": "ping", "n": 1}
        assert await bob_tab.receive_nothing(timeout=0.5)
        for tab in (alice_tab1, alice_tab2, bob_tab):
            await tab.disconnect()

    asyncio.run(scenario())


def test_session_of_one_satker_opens_nothing_on_another(two_satkers):
    a, alice, b, _bob = two_satkers
    cookie_a = session_cookie(a, alice)

    async def scenario():
        assert await refused_with(socket(host_of(b), cookie_a)) == CLOSE_UNAUTHENTICATED
        assert await refused_with(socket(host_of(a))) == CLOSE_UNAUTHENTICATED
        assert await refused_with(socket("nowhere.localhost", cookie_a)) == CLOSE_UNKNOWN_HOST
        # A page on B's host may not open A's socket with the browser's A cookie.
        assert await refused_with(socket(host_of(a), cookie_a, origin=host_of(b))) == CLOSE_FORBIDDEN_ORIGIN
        assert await refused_with(socket(host_of(a), cookie_a, origin="evil.example")) == CLOSE_FORBIDDEN_ORIGIN

    asyncio.run(scenario())


def test_suspended_satker_refuses_sockets(two_satkers):
    from tenants.services import set_satker_status

    a, alice, _b, _bob = two_satkers
    cookie_a = session_cookie(a, alice)
    set_satker_status(a, "suspended")
    assert asyncio.run(refused_with(socket(host_of(a), cookie_a))) == CLOSE_UNKNOWN_HOST


@pytest.mark.timeout(60)
def test_an_idle_socket_stays_open_and_still_receives(two_satkers):
    """redis-py 8's default 5 s read timeout used to tear idle sockets down with 1011."""
    a, alice, _b, _bob = two_satkers
    cookie = session_cookie(a, alice)

    async def scenario():
        tab = socket(host_of(a), cookie)
        assert (await tab.connect())[0]
        await tab.receive_json_from()
        assert await tab.receive_nothing(timeout=7, interval=0.5)  # longer than the old 5 s timeout
        await sync_to_async(push)(a, alice, {"type": "ping", "n": 2})
        assert await tab.receive_json_from(timeout=5) == {"type": "ping", "n": 2}
        await tab.disconnect()

    asyncio.run(scenario())


def test_a_socket_from_another_port_or_scheme_is_refused_by_the_real_server(two_satkers, web_server):
    """The Origin must be the page's own origin (scheme, host and port), as Django's CSRF check
    compares it: a page on another port of the same host name is another site."""
    import socket as sockets

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    a, alice, _b, _bob = two_satkers
    cookie = session_cookie(a, alice)
    port = int(web_server.rsplit(":", 1)[1])
    host = f"{a.subdomain}.localhost:{port}"

    def opens(origin, **headers):
        link = sockets.create_connection(("127.0.0.1", port), timeout=30)
        try:
            with connect(
                f"ws://{host}/ws/notifications/",
                sock=link,
                origin=origin,
                open_timeout=30,
                additional_headers={"Cookie": f"sessionid={cookie}", **headers},
            ) as tab:
                return json.loads(tab.recv(timeout=30))["satker"] == a.code
        except InvalidStatus as refused:
            assert refused.response.status_code == 403
            return False

    assert opens(f"http://{host}")  # the check is not vacuous: the page's own origin opens it
    assert not opens(f"http://{a.subdomain}.localhost:9999")
    assert not opens(f"https://{host}")
    assert not opens(f"http://{a.subdomain}.localhost")  # port 80 is another origin than :{port}
    # Behind our TLS proxy the page is https: then only the https origin is the page's own.
    assert opens(f"https://{a.subdomain}.localhost:{port}", **{"X-Forwarded-Proto": "https"})
    assert not opens(f"http://{host}", **{"X-Forwarded-Proto": "https"})


def test_one_satkers_stalled_database_does_not_hold_up_another_satkers_sockets(two_satkers):
    """A socket's database work runs on a pool of threads, not on one thread shared by every
    socket of the process: while satker A's handshake waits on its database (its users table
    locked here), satker B's sockets still open. On one shared thread they queued behind it,
    which under a crowd made every handshake time out (bench/load.py: 3,300 reconnects)."""
    import socket as sockets
    import threading
    import time

    import psycopg
    from websockets.sync.client import connect

    from tests.conftest import database_url, free_port, server_process

    a, alice, b, bob = two_satkers
    cookies = {a.pk: session_cookie(a, alice), b.pk: session_cookie(b, bob)}
    port = free_port()
    uvicorn = ["uvicorn", "halopst.asgi:application", "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"]

    def greeting(satker) -> str:
        host = f"{satker.subdomain}.localhost:{port}"
        link = sockets.create_connection(("127.0.0.1", port), timeout=60)
        with connect(
            f"ws://{host}/ws/notifications/",
            sock=link,
            origin=f"http://{host}",
            open_timeout=60,
            additional_headers={"Cookie": f"sessionid={cookies[satker.pk]}"},
        ) as tab:
            return json.loads(tab.recv(timeout=60))["satker"]

    with server_process(uvicorn, port):
        assert greeting(a) == a.code and greeting(b) == b.code  # both open when nothing waits
        blocker = psycopg.connect(database_url())
        blocker.execute(f'LOCK TABLE "{a.schema_name}".core_user IN ACCESS EXCLUSIVE MODE')
        waiting = threading.Thread(target=greeting, args=(a,), daemon=True)
        waiting.start()
        try:
            # Until A's handshake is waiting for the lock (a condition, not a delay).
            table = f'"{a.schema_name}".core_user'
            with psycopg.connect(database_url(), autocommit=True) as observer:
                while not observer.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
                ).fetchone()[0]:
                    assert waiting.is_alive()
                    time.sleep(0.1)
            assert greeting(b) == b.code
        finally:
            blocker.rollback()
            blocker.close()
            waiting.join(60)

"""`make run`'s front door routes as deploy/nginx.conf does: pages and the API to gunicorn,
sockets and AIDA's streams to uvicorn, byte for byte, on one port."""

import socket

import httpx

from tests.conftest import free_port, server_process


def _head(port: int, request: bytes) -> bytes:
    """Send a raw request and read the response head (what a browser's upgrade would see)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = connection.recv(4096)
            if not chunk:
                break
            head += chunk
    return head


def test_one_port_in_front_of_the_pages_and_the_sockets_process(committed_db):
    door, pages, sockets = free_port(), free_port(), free_port()
    with (
        server_process(["gunicorn", "halopst.wsgi", "--bind", f"127.0.0.1:{pages}"], pages),
        server_process(
            ["uvicorn", "halopst.asgi:application", "--port", str(sockets), "--lifespan", "off", "--ws", "websockets"],
            sockets,
        ),
        server_process(
            ["halopst.frontdoor", "--port", str(door), "--pages", str(pages), "--sockets", str(sockets)], door
        ),
    ):
        page = httpx.get(f"http://127.0.0.1:{door}/", headers={"Host": "sidoarjokab.localhost"}, timeout=30)
        assert page.status_code == 200 and page.headers["server"] == "gunicorn"
        assert "Kabupaten Sidoarjo" in page.text
        upgrade = _head(
            door,
            b"GET /ws/notifications/ HTTP/1.1\r\nHost: sidoarjokab.localhost\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            b"Origin: http://sidoarjokab.localhost\r\n\r\n",
        )
        # The ASGI process answered the handshake: an anonymous socket is refused, cleanly, with 403
        # (gunicorn has no such route: it would answer 404 with a page).
        assert upgrade.startswith(b"HTTP/1.1 403") and b"gunicorn" not in upgrade.lower()
        stream = httpx.post(f"http://127.0.0.1:{door}/aida/tanya/", headers={"Host": "sidoarjokab.localhost"})
        assert stream.headers["server"] == "uvicorn"  # refused for its missing form token, by the ASGI process

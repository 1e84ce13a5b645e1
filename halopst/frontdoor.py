"""`make run`'s stand-in for nginx: one port in front of the pages process (gunicorn) and the
sockets-and-streams process (uvicorn), routed as deploy/nginx.conf routes them.

`python -m halopst.frontdoor --port 8000 --pages 8001 --sockets 8002`

Each client connection goes, whole, to the process that its first request's path belongs to:
`/ws/` and `/aida/tanya/` to the ASGI process, everything else to the pages process. Bytes are
relayed as they come (WebSocket frames and streamed answers included, nothing buffered). A
browser that reuses a connection for another path stays on that process; both processes serve
every route, so this costs only the routing nginx would have done, never a wrong answer. The
client's address is not passed on: behind this door every visitor is 127.0.0.1, as on any
development machine. It is for one machine's `make run`; production uses nginx.
"""

import argparse
import asyncio

SOCKET_PATHS = (b"/ws/", b"/aida/tanya/")
MAX_HEAD = 64 * 1024


async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def _serve(client_reader, client_writer, pages: int, sockets: int) -> None:
    try:
        head = await client_reader.readuntil(b"\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        client_writer.close()
        return
    parts = head.split(b" ")
    path = parts[1] if len(parts) > 1 else b"/"
    port = sockets if path.startswith(SOCKET_PATHS) else pages
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        client_writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        client_writer.close()
        return
    upstream_writer.write(head)
    await asyncio.gather(_relay(client_reader, upstream_writer), _relay(upstream_reader, client_writer))


async def main(bind: str, port: int, pages: int, sockets: int) -> None:
    server = await asyncio.start_server(
        lambda reader, writer: _serve(reader, writer, pages, sockets), bind, port, limit=MAX_HEAD
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--sockets", type=int, required=True)
    arguments = parser.parse_args()
    try:
        asyncio.run(main(arguments.bind, arguments.port, arguments.pages, arguments.sockets))
    except KeyboardInterrupt:
        pass

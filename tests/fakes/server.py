"""A tiny threaded HTTP server on 127.0.0.1 for fakes of external APIs.

Each fake answers the provider's real HTTP protocol. A test scripts failures by pushing modes
onto `plan` (consumed one per request): "ok", an HTTP status ("500", "429", "503"), "timeout"
(answer only after the client gave up) or a provider-specific error name.
"""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    timeout_sleep = 3.0

    def __init__(self):
        self.plan = deque()
        self.requests = []  # every request: (path, headers, body)
        self.received_times = []  # time.monotonic() when each request arrived
        self.event_times = []  # time.monotonic() when each streamed event was written
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in two writes: with Nagle's algorithm the body would wait
            # for the client's delayed ACK of the headers, 40 ms on every kept-alive request.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.received_times.append(time.monotonic())
                    fake.requests.append((self.path, dict(self.headers), raw))
                    mode = fake.next_mode(self.path)
                if mode == "timeout":
                    time.sleep(fake.timeout_sleep)
                    mode = "ok"
                status, headers, body = fake.respond(self.command, self.path, self.headers, raw, mode)
                if hasattr(body, "events"):
                    return self._stream(status, headers, body)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def _stream(self, status, headers, body):
                """Server-sent events, written one at a time; the connection closes at the end."""
                self.close_connection = True
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if body.mode == "slow":
                        time.sleep(body.fake.slow_seconds)
                    for index, event in enumerate(body.events):
                        if index and body.fake.delay_between_chunks:
                            time.sleep(body.fake.delay_between_chunks)
                        if index == len(body.events) - 1 and getattr(body.fake, "hold_last_event", None):
                            body.fake.hold_last_event.wait(30)
                        data = "{broken json" if body.mode == "malformed" and index == 0 else json.dumps(event)
                        self.wfile.write(f"data: {data}\r\n\r\n".encode())
                        self.wfile.flush()
                        fake.event_times.append(time.monotonic())
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = _handle
            do_GET = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_mode(self, path: str) -> str:
        """The mode of the request to `path` (called under the lock)."""
        return self.plan.popleft() if self.plan else "ok"

    def respond(self, method, path, headers, raw, mode):
        raise NotImplementedError

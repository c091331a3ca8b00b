"""A real HTTP receiver standing in for 国家企业信用信息公示系统, with faults on purpose.

It runs ``http.server`` in a thread on a free local port.  Each request takes the next
fault from a script (``ok`` once the script is used up):

- ``ok``: store the message (once per idempotency key) and answer 200;
- ``500`` / ``503`` / ``429`` / ``400``: answer that status without storing;
- ``timeout``: sleep past the sender's timeout, then store it and answer (too late);
- ``drop``: close the connection without any answer, without storing.

A message whose key is already stored is answered 409 and not stored again, so
``stored`` counts each message exactly once and ``requests`` counts every attempt.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, script: list[str], *, slow_seconds: float = 1.5) -> None:
        self.script = list(script)
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.accepted: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.url = ""

    def next_fault(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def wait_stored(self, key: str, seconds: float = 5) -> None:
        """Wait until a slow request has stored ``key`` (the sender stopped waiting)."""
        give_up = time.monotonic() + seconds
        while key not in self.stored and time.monotonic() < give_up:
            time.sleep(0.05)

    def store(self, key: str, body: dict[str, Any]) -> bool:
        with self.lock:
            if key in self.stored:
                return False
            self.stored[key] = body
            self.accepted[key] += 1
            return True


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (the "timeout" fault)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            key = self.headers.get("Idempotency-Key", "")
            with receiver.lock:
                receiver.requests.append(key)
                receiver.headers.append(dict(self.headers))
            fault = receiver.next_fault()
            if fault == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if fault in ("500", "503", "429", "400"):
                self._answer(int(fault), {"error": fault})
                return
            if fault == "timeout":
                time.sleep(receiver.slow_seconds)
            if key != body.get("idempotencyKey"):
                self._answer(400, {"error": "key mismatch"})
                return
            if receiver.store(key, body):
                self._answer(200, {"accepted": key})
            else:
                self._answer(409, {"duplicate": key})

    return Handler


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/gsxt/double-random-results"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

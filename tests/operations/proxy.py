"""A TCP proxy in front of a shared service (PostgreSQL, Redis) that a test can cut or hang.

The machine's services are shared, so a fault test never stops them: the platform talks
to them through this proxy. Cutting it drops every open connection and refuses new ones,
as an outage would. Hanging it keeps every connection open, accepts new ones and then
forwards nothing either way, as a stuck server or a silent firewall would: a client
without a read timeout waits for ever. Restoring it lets new connections through again.
"""

from __future__ import annotations

import socket
import threading

UP, CUT, HUNG = "up", "cut", "hung"


class CuttableProxy:
    """Forward 127.0.0.1:<port> to a service; cut refuses, hang swallows, restore forwards."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.state = UP
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.state == CUT:
                client.close()
                continue
            if self.state == HUNG:  # accepted, then never answered
                with self.lock:
                    self.open.append(client)
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _swallow(self, source: socket.socket) -> None:
        try:
            while source.recv(65536):
                pass
        except OSError:
            pass

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                if self.state == HUNG:
                    continue  # read and dropped: neither side hears from the other
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _drop_open(self) -> None:
        with self.lock:
            for s in self.open:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.open = []

    def cut(self) -> None:
        self.state = CUT
        self._drop_open()

    def hang(self) -> None:
        """Keep the open connections and accept new ones, but forward nothing."""
        self.state = HUNG

    def restore(self) -> None:
        """Forward again; connections that hung are dropped (their replies were lost)."""
        if self.state == HUNG:
            self._drop_open()
        self.state = UP

    def close(self) -> None:
        self.cut()
        self.listener.close()

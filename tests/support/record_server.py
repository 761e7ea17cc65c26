"""A small HTTP server holding named JSON records: the "cloud" of the engine tests.

It counts what a user of a real cloud would care about: creates (a PUT on an absent name), writes,
reads, and the order of deletes. It can slow down writes to widen the window a crash test hits.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class RecordStats:
    creates: dict[str, int] = field(default_factory=dict)
    writes: int = 0
    reads: int = 0
    deletes: list[str] = field(default_factory=list)
    max_in_flight: int = 0


class RecordServer:
    def __init__(self, write_delay_s: float = 0.0) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.stats = RecordStats()
        self.write_delay_s = write_delay_s
        self._lock = threading.Lock()
        self._in_flight = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> RecordServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset_counts(self) -> None:
        with self._lock:
            self.stats = RecordStats()

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _name(self) -> str:
                return self.path.removeprefix("/records/")

            def _send(self, status: int, body: Any = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                server._enter()
                try:
                    with server._lock:
                        server.stats.reads += 1
                        record = server.records.get(self._name())
                    self._send(200, record) if record is not None else self._send(404, {"error": "NotFound"})
                finally:
                    server._leave()

            def do_PUT(self) -> None:
                server._enter()
                try:
                    body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                    time.sleep(server.write_delay_s)
                    name = self._name()
                    with server._lock:
                        server.stats.writes += 1
                        if name not in server.records:
                            server.stats.creates[name] = server.stats.creates.get(name, 0) + 1
                        server.records[name] = body
                    self._send(200, body)
                finally:
                    server._leave()

            def do_DELETE(self) -> None:
                server._enter()
                try:
                    time.sleep(server.write_delay_s)
                    with server._lock:
                        server.stats.writes += 1
                        existed = server.records.pop(self._name(), None) is not None
                        if existed:
                            server.stats.deletes.append(self._name())
                    self._send(204)
                finally:
                    server._leave()

        return Handler

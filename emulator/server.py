"""HTTPS transport: a stdlib ThreadingHTTPServer that hands every request to the ARM engine."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator.arm.engine import Engine
from emulator.arm.http import Request, Response
from emulator.charts import ChartRepository
from emulator.streaming import send_chunked
from emulator.tls import TlsMaterial


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], engine: Engine) -> None:
        super().__init__(address, _Handler)
        self.engine = engine
        self.repository: ChartRepository | None = None  # the chart repository, beside ARM
        self.base_url = ""
        self.stopping = threading.Event()  # ends long-lived (watch) responses


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms ACK stalls
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet; counts are available through introspection

    def _serve(self) -> None:
        split = urlsplit(self.path)
        repository = self.server.repository
        if repository is not None and repository.handles(unquote(split.path)):
            self._write(_repository_answer(repository, self.command, unquote(split.path)))
            return
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            base_url=self.server.base_url,
        )
        response = self.server.engine.handle(request)
        if response.delay_s > 0:
            time.sleep(response.delay_s)
        if response.reset:
            self._reset()
            return
        chunks = getattr(response, "chunks", None)  # a Kubernetes watch
        if chunks is not None:
            send_chunked(self, response.status, response.headers, chunks, self.server.stopping.is_set)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        payload = response.encoded()
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = _serve  # noqa: N815


class _FileResponse(Response):
    """A response whose body is bytes already (a chart archive, an index)."""

    def encoded(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else super().encoded()


def _repository_answer(repository: ChartRepository, method: str, path: str) -> Response:
    """A chart repository file (anonymous, as public Helm repositories are), or 404/405."""
    if method not in ("GET", "HEAD"):
        return _FileResponse(405, b"", {"Allow": "GET, HEAD"})
    found = repository.lookup(path)
    if found is None:
        return _FileResponse(404, b"not found\n", {"Content-Type": "text/plain"})
    body, content_type = found
    return _FileResponse(200, body, {"Content-Type": content_type})


def _bind(engine: Engine, port: int, preferred_port: int) -> _Server:
    """Bind `port`; with port 0 try `preferred_port` first (the last run's, so LRO URLs stay valid)."""
    if port == 0 and preferred_port:
        try:
            return _Server(("127.0.0.1", preferred_port), engine)
        except OSError:
            pass
    return _Server(("127.0.0.1", port), engine)


class HttpsServer:
    """Owns the listening socket and the serving thread."""

    def __init__(
        self,
        engine: Engine,
        tls: TlsMaterial,
        port: int = 0,
        preferred_port: int = 0,
        repository: ChartRepository | None = None,
    ) -> None:
        self._server = _bind(engine, port, preferred_port)
        self._server.repository = repository
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(tls.cert_path), str(tls.key_path))
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.port = int(self._server.server_address[1])
        self.url = f"https://127.0.0.1:{self.port}"
        self._server.base_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="arm-emulator", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

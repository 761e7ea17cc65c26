"""Chunked HTTP/1.1 responses for long-lived bodies (Kubernetes watches), shared by the HTTPS server and
the test servers.

The body is an iterator of chunks; an empty chunk means "nothing yet" and is not sent, but gives the
writer a chance to notice that the server is stopping or that the client went away (its socket turned
readable: a watch client sends nothing once its request is made). Either ends the stream cleanly and
closes the iterator, so the producer's ``finally`` blocks run.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler


def _client_gone(conn: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([conn], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def send_chunked(
    handler: BaseHTTPRequestHandler,
    status: int,
    headers: Mapping[str, str],
    chunks: Iterator[bytes],
    stopping: Callable[[], bool] = lambda: False,
) -> None:
    """Send ``chunks`` as one chunked response; returns when they end, the client leaves or we stop."""
    handler.send_response(status)
    for key, value in headers.items():
        if key.lower() not in ("content-length", "transfer-encoding"):
            handler.send_header(key, value)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    ended = False
    try:
        for piece in chunks:
            if stopping() or _client_gone(handler.connection):
                break
            if piece:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                handler.wfile.flush()
        else:
            ended = True
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
    except OSError:
        ended = False
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):
            close()
        handler.close_connection = not ended

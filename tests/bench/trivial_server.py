#!/usr/bin/env python3
"""A trivial keep-alive HTTP/1.1 server for client-CPU benchmarks.

Binds 127.0.0.1:0, prints the port on stdout (one line, then flushes) and serves until killed.
Every request (request line + headers + a Content-Length or chunked body) is answered with
200, content-type: application/json and one fixed Encrypt response body. One thread per
connection; connections are kept open until the client closes them (or sends
"Connection: close").

It runs in its own process so that its CPU time is never counted in a client's.
On stderr it writes one line per accepted connection ("conn <n> from <addr>"), so a
caller can check that a client really reused its connection.

Standard library only: runs under any python3 >= 3.8.
"""
from __future__ import annotations

import socket
import sys
import threading

BODY = (
    b'{"CiphertextBlob":"ODZhOWVmZDktM2QxNi00ODk0LWJkNGYtMWZjNDNmM2YyYWJmS7FmDBBQ0BkKsQrtRnidtPwirmDc'
    b'S0ZuJCU41xxAAWk4Z8qsADfbV0b+i6kQmlvj79dJdGOvtX69Uycs901q","KeyId":"key-hzz62f1cb66fy8gwlnt9e",'
    b'"KeyVersionId":"2ab1a983-7072-4bbc-a582-584b5bd80000",'
    b'"RequestId":"A7B6F2C1-0000-4D3E-9F00-000000000001"}'
)
RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"content-type: application/json\r\n"
    b"content-length: " + str(len(BODY)).encode() + b"\r\n"
    b"connection: keep-alive\r\n"
    b"\r\n" + BODY
)
MAX_HEADER = 64 * 1024

_conn_count = 0
_conn_lock = threading.Lock()


class _Closed(Exception):
    pass


class _Reader:
    """Buffered reads from a socket: whole lines (for headers/chunk sizes) and exact byte counts."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = bytearray()

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise _Closed
        self.buf += data

    def until(self, delim: bytes, limit: int = MAX_HEADER) -> bytes:
        while True:
            i = self.buf.find(delim)
            if i >= 0:
                out = bytes(self.buf[: i + len(delim)])
                del self.buf[: i + len(delim)]
                return out
            if len(self.buf) > limit:
                raise _Closed
            self._fill()

    def skip(self, n: int) -> None:
        while len(self.buf) < n:
            n -= len(self.buf)
            self.buf.clear()
            self._fill()
        del self.buf[:n]


def _serve(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    r = _Reader(sock)
    try:
        while True:
            head = r.until(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            length = 0
            chunked = False
            close = lines[0].rstrip().endswith(b"HTTP/1.0")
            expect_continue = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                value = value.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value:
                    chunked = True
                elif name == b"connection":
                    if b"close" in value:
                        close = True
                    elif b"keep-alive" in value:
                        close = False
                elif name == b"expect" and value == b"100-continue":
                    expect_continue = True
            if expect_continue:
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if chunked:
                while True:
                    size = int(r.until(b"\r\n").split(b";")[0].strip(), 16)
                    if size == 0:
                        # trailers, then the empty line
                        while r.until(b"\r\n") != b"\r\n":
                            pass
                        break
                    r.skip(size + 2)
            elif length:
                r.skip(length)
            sock.sendall(RESPONSE)
            if close:
                return
    except (_Closed, OSError, ValueError):
        return
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main() -> None:
    global _conn_count
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(128)
    print(lsock.getsockname()[1], flush=True)
    while True:
        conn, addr = lsock.accept()
        with _conn_lock:
            _conn_count += 1
            n = _conn_count
        print(f"conn {n} from {addr[0]}:{addr[1]}", file=sys.stderr, flush=True)
        threading.Thread(target=_serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass

"""A kiosk socket whose peer never reads (review of issue 16's socket changes): what it sends must
not make the server buffer without bound. Against a real `votehall serve`, over a raw socket."""

from __future__ import annotations

import base64
import os
import socket
import struct
import time
from pathlib import Path

from tests.hostile.test_slow_clients import serving

PING_PAYLOAD = 125  # the largest control frame: the server answers each with a 127-byte pong
SENT_AT_MOST = 24 * 1024 * 1024  # bytes of pings offered to the server
GROWTH_AT_MOST = 8 * 1024 * 1024  # what the server may hold for one unread socket (generous)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _upgrade(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A handheld that reads nothing: the smallest window the kernel allows.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /ws/kiosk HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock


def _ping() -> bytes:
    mask = os.urandom(4)
    payload = os.urandom(PING_PAYLOAD)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x89, 0x80 | PING_PAYLOAD) + mask + masked


def test_pings_from_a_peer_that_never_reads_are_not_buffered_without_bound(tmp_path: Path) -> None:
    with serving(tmp_path, VOTEHALL_HELLO_TIMEOUT="60") as server:
        assert server.process is not None
        sock = _upgrade(server.port)
        time.sleep(0.5)
        before = _rss(server.process.pid)
        chunk = _ping() * 512  # 65 KB of pings
        sock.settimeout(2.0)  # a server that stops reading makes sendall time out: the good end
        sent = 0
        try:
            while sent < SENT_AT_MOST:
                sock.sendall(chunk)
                sent += len(chunk)
        except TimeoutError:
            pass
        time.sleep(1.0)  # the server answers what it has read
        growth = _rss(server.process.pid) - before
        sock.close()
        assert growth < GROWTH_AT_MOST, (
            f"the server grew by {growth / 2**20:.1f} MB for {sent / 2**20:.1f} MB of pings "
            "it answered into a socket that is never read"
        )

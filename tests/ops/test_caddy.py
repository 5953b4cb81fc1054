"""The shipped Caddy configuration (deploy/Caddyfile) in front of a real `votehall serve` that
trusts it (VOTEHALL_TRUSTED_PROXIES=127.0.0.1): TLS from Caddy's internal CA, each client seen
with its own address, forged forwarding headers believed from nobody else (issue 13 item 5).

Two clients on one machine: 127.0.0.2 and 127.0.0.3 are both loopback on Linux, and each can be
a connection's source address."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from server.config import Settings
from server.loadtest.spawn import free_port
from tests.servers import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
CADDYFILE = ROOT / "deploy" / "Caddyfile"
WAIT = 10.0  # seconds: a liveness bound, never a performance claim
BLOCK_AFTER = 30  # wrong pairing codes from one address before it is refused (server/desk/throttle.py)


class Caddy:
    def __init__(self, upstream_port: int, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.env = {
            **os.environ,
            "HOME": str(workdir),
            "XDG_DATA_HOME": str(workdir / "data"),
            "XDG_CONFIG_HOME": str(workdir / "config"),
            "VOTEHALL_SITE": f"https://127.0.0.1:{self.port}",
            "VOTEHALL_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "CADDY_HTTPS_PORT": str(self.port),
            "CADDY_HTTP_PORT": str(free_port()),
            "CADDY_READ_HEADER": "1s",
            "CADDY_IDLE": "1s",
        }
        self.log = (workdir / "caddy.log").open("w+")
        self.process = subprocess.Popen(
            [caddy_binary(), "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=self.env,
            cwd=workdir,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def root_certificate(self) -> Path:
        return self.workdir / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def wait_ready(self) -> ssl.SSLContext:
        """Wait until Caddy answers over TLS; the context that trusts its CA."""
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"caddy exited:\n{self.output()}")
            if self.root_certificate().exists():
                context = ssl.create_default_context(cafile=str(self.root_certificate()))
                try:
                    httpx.get(f"{self.base}/api/feed", verify=context, timeout=2).raise_for_status()
                    return context
                except (httpx.TransportError, httpx.HTTPStatusError):
                    pass
            if time.monotonic() > deadline:
                raise AssertionError(f"caddy did not answer within 30 s:\n{self.output()}")
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def caddy_binary() -> str:
    found = shutil.which("caddy") or ("/usr/bin/caddy" if Path("/usr/bin/caddy").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is required in CI (apt-get install caddy) and was not found")
        pytest.skip("caddy not installed (apt-get install caddy); set CI=true to make this fatal")
    return found


@pytest.fixture
def behind_caddy(tmp_path: Path) -> Iterator[tuple[ServerProcess, Caddy, ssl.SSLContext]]:
    caddy_binary()
    server = ServerProcess(
        f"sqlite+aiosqlite:///{tmp_path / 'caddy.db'}",
        env={"VOTEHALL_TRUSTED_PROXIES": "127.0.0.1", "VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS": "2"},
    )
    server.start()
    caddy = Caddy(server.port, tmp_path)
    try:
        context = caddy.wait_ready()
        yield server, caddy, context
    finally:
        caddy.stop()
        server.stop()


def wrong_pairings(
    base: str, source: str, count: int, verify: ssl.SSLContext | bool, **headers: str
) -> list[int]:
    """Status codes of `count` wrong pairing codes sent from the address `source`."""
    transport = httpx.HTTPTransport(local_address=source, verify=verify)
    with httpx.Client(base_url=base, transport=transport, timeout=WAIT, headers=headers) as client:
        return [
            client.post("/api/kiosk/pair", json={"pairing_code": "WRONG-0000"}).status_code
            for _ in range(count)
        ]


def test_each_client_behind_caddy_has_its_own_address(
    behind_caddy: tuple[ServerProcess, Caddy, ssl.SSLContext],
) -> None:
    server, caddy, tls = behind_caddy
    # The pairing route refuses an address after 30 wrong codes: 127.0.0.2 is refused, 127.0.0.3
    # is not (the server does not lump every client behind the proxy into one address) ...
    guesser = wrong_pairings(caddy.base, "127.0.0.2", BLOCK_AFTER + 1, tls)
    assert guesser == [404] * BLOCK_AFTER + [429], guesser
    assert wrong_pairings(caddy.base, "127.0.0.3", 1, tls) == [404]
    # ... and a client cannot name another address to Caddy: Caddy replaces X-Forwarded-For.
    forged = wrong_pairings(caddy.base, "127.0.0.2", 1, tls, **{"X-Forwarded-For": "127.0.0.9"})
    assert forged == [429]
    log = server.output()
    assert '127.0.0.2:0 - "POST /api/kiosk/pair' in log and '127.0.0.3:0 - "POST /api/kiosk/pair' in log
    assert "127.0.0.9" not in log
    # A direct request from another host than the trusted proxy names nobody but itself.
    direct = wrong_pairings(server.base, "127.0.0.4", 1, False, **{"X-Forwarded-For": "127.0.0.3"})
    assert direct == [404]
    assert "127.0.0.4:" in server.output()


def test_caddy_sets_hsts_and_lets_go_of_the_server_first(
    behind_caddy: tuple[ServerProcess, Caddy, ssl.SSLContext],
) -> None:
    """Browsers are told to come back over HTTPS only (SECURITY.md assumption 1), and Caddy keeps
    an idle connection to the server for less time than the server keeps it (else a POST sent
    on a connection the server is closing comes back 502)."""
    _, caddy, tls = behind_caddy
    answer = httpx.get(f"{caddy.base}/api/feed", verify=tls, timeout=WAIT)
    assert answer.status_code == 200
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    upstream = re.search(r"keepalive (\d+)s", CADDYFILE.read_text())
    assert upstream is not None and float(upstream.group(1)) < Settings().keepalive_timeout


async def test_live_connections_behind_caddy_are_counted_per_client(
    behind_caddy: tuple[ServerProcess, Caddy, ssl.SSLContext],
) -> None:
    """Two displays per address (VOTEHALL_MAX_CONNECTIONS_PER_ADDRESS=2): a third from 127.0.0.2
    is closed with 4429, one from 127.0.0.3 is welcome; the sockets outlive Caddy's header and
    idle timeouts (1 s here)."""
    _, caddy, tls = behind_caddy
    url = f"wss://127.0.0.1:{caddy.port}/ws/display"

    async def display(source: str) -> websockets.ClientConnection:
        return await websockets.connect(url, ssl=tls, local_addr=(source, 0), open_timeout=WAIT)

    held = [await display("127.0.0.2") for _ in range(2)]
    for connection in held:
        assert "version" in json.loads(await asyncio.wait_for(connection.recv(), WAIT))
    refused = await display("127.0.0.2")
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(refused.recv(), WAIT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429
    other = await display("127.0.0.3")
    assert "version" in json.loads(await asyncio.wait_for(other.recv(), WAIT))
    await asyncio.sleep(2.5)
    for connection in [*held, other]:
        await asyncio.wait_for(await connection.ping(), WAIT)
        await connection.close()

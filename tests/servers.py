"""A real `votehall serve` process on a free port, for WebSocket, restart and load tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import redis.asyncio as redis

# The installed console script beside this interpreter: `make test` runs the venv's python
# without the venv on PATH, so a bare "votehall" would not be found.
VOTEHALL = str(Path(sys.executable).with_name("votehall"))
# A test that opens thousands of kiosks from 127.0.0.1 exempts that address from the limit of
# connections per address, as `votehall loadtest` does for its own servers (none is exempt by default).
LOAD_CLIENT = {"VOTEHALL_CONNECTION_LIMIT_EXEMPT": "127.0.0.1, ::1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """Start, kill and restart `votehall serve` against one database."""

    def __init__(
        self, database_url: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
    ) -> None:
        self.database_url = database_url
        self.args = args  # more options of `serve`, e.g. ("--workers", "2")
        self.port = free_port()
        self.env = {
            **os.environ,
            "VOTEHALL_DATABASE_URL": database_url,
            "VOTEHALL_ENV": "development",
            **(env or {}),
        }
        self.process: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the process, closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--port", str(self.port), *self.args],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited:\n{self.output()}")
            try:
                httpx.get(f"{self.base}/api/feed", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server did not answer within 30 s:\n{self.output()}") from None
                time.sleep(0.05)

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops the server: wait for the graceful shutdown and
        answer the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None


REDIS_URL = os.environ.get("VOTEHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def require_redis() -> dict[str, Any]:
    """The test Redis's connection settings once it answers, or a skip with the reason (a
    failure when CI is set)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI and did not answer at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); set CI=true to make this fatal")
    finally:
        await client.aclose()
    return dict(client.connection_pool.connection_kwargs)

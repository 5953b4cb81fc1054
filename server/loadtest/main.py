"""`votehall loadtest`: set up the targets, drive them one after the other, report.

VoteHall runs first, then the echo server with the same client options, never both at once:
on two shared cores each target gets the whole machine it shares with the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from server.loadtest.pool import event_loop_runner, raise_open_files_limit
from server.loadtest.postgres_cpu import for_url
from server.loadtest.report import print_json, print_table
from server.loadtest.runner import Backend, DriveOptions, PidProbe, Probe, TargetReport, drive
from server.loadtest.spawn import Child, Hall, echo_server, seed_hall, votehall_server


@dataclass(frozen=True, slots=True)
class LoadtestOptions:
    kiosks: int = 10_000
    drive: DriveOptions = field(default_factory=DriveOptions)
    database_url: str | None = None  # None: a fresh SQLite file in a temporary folder
    echo: bool = True
    urls: tuple[str, ...] = ()  # already running server(s) instead of spawning one
    chair_token: str | None = None
    passes_file: Path | None = None
    ballots: tuple[int, ...] = ()
    server_pids: tuple[int, ...] = ()
    processes: int = 1  # spawned server processes of one hall (PostgreSQL and Redis when > 1)
    redis_url: str | None = None
    slow_clients: int = 0  # slow and idle connections held against the spawned server meanwhile


def split_urls(values: list[str] | None) -> tuple[str, ...]:
    """`--url A --url B` or `--url A,B` (or both): the server base URLs, in order, once each."""
    urls = (part.strip().rstrip("/") for value in values or () for part in value.split(","))
    return tuple(dict.fromkeys(url for url in urls if url))


def read_passes(path: Path) -> list[tuple[str, str]]:
    """Pass tokens from a JSON object {member code: token}, or one `[code] token` a line."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return sorted((str(code), str(token)) for code, token in orjson.loads(text).items())
    passes = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if words:
            passes.append((words[0], words[1]) if len(words) > 1 else (f"K{number:05d}", words[0]))
    return passes


async def _votehall(options: LoadtestOptions, workdir: Path) -> TargetReport:
    if options.urls:
        if options.passes_file is None or not options.ballots or not options.chair_token:
            raise ValueError("--url needs --chair-token, --passes FILE and at least one --ballot")
        passes = read_passes(options.passes_file)[: options.kiosks]
        first, *more = (url.rstrip("/") for url in options.urls)
        hall = Hall(first, options.chair_token, passes, list(options.ballots), more)
        probe = PidProbe(options.server_pids) if options.server_pids else None
        bursts = min(options.drive.bursts, len(hall.ballots))
        drive_options = dataclasses.replace(options.drive, bursts=bursts)
        return await drive(f"votehall at {', '.join(options.urls)}", hall, drive_options, probe)
    url = options.database_url or f"sqlite+aiosqlite:///{workdir / 'loadtest.db'}"
    if options.processes > 1:
        return await _votehall_processes(options, url, workdir)
    hall = await seed_hall(url, options.kiosks, options.drive.bursts)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    name = f"votehall ({backend})" + (
        f", {options.slow_clients} slow clients" if options.slow_clients else ""
    )
    return await _spawned(
        name, votehall_server(url, workdir), hall, options, echo=False, database=_backend(url)
    )


def _backend(url: str) -> Backend:
    """On PostgreSQL its processes' CPU counts too, when they run on this machine."""
    return Backend(postgres=url.startswith("postgresql"), probe=for_url(url))


async def _votehall_processes(options: LoadtestOptions, url: str, workdir: Path) -> TargetReport:
    """Several `votehall serve` processes of one hall on PostgreSQL, sharing Redis (SPEC 5 "Scale
    out"): the kiosks are spread over them, and each has a display that must show the ledger."""
    if not url.startswith("postgresql") or not options.redis_url:
        raise ValueError("--processes above 1 needs --database-url on PostgreSQL and --redis-url")
    hall = await seed_hall(url, options.kiosks, options.drive.bursts)
    env = {
        "VOTEHALL_REDIS_URL": options.redis_url,
        "VOTEHALL_REDIS_CHANNEL": f"votehall-loadtest-{uuid.uuid4().hex}",
    }
    children = [votehall_server(url, workdir, index=n + 1, env=env) for n in range(options.processes)]
    try:
        for child in children:
            await child.wait_ready(http=True)
        hall.base, hall.more = children[0].base, [child.base for child in children[1:]]
        name = f"votehall ({options.processes} processes, postgresql + redis)"
        probe = PidProbe(tuple(child.pid for child in children))
        report = await drive(name, hall, options.drive, probe, database=_backend(url))
        for child in children:
            if child.process.poll() is not None:
                report.problems.append(f"server {child.base} exited with {child.process.returncode}")
        return report
    except BaseException:
        for child in children:
            sys.stderr.write(f"--- {child.base} output ---\n{child.output()}\n")
        raise
    finally:
        for child in children:
            await child.stop()


async def _echo(options: LoadtestOptions, workdir: Path, like: TargetReport) -> TargetReport:
    """The echo server with as many kiosks and bursts as VoteHall had."""
    passes = [(f"E{n:05d}", f"echo-{n}") for n in range(1, like.requested + 1)]
    hall = Hall("", None, passes, list(range(1, max(len(like.bursts), 1) + 1)))
    return await _spawned("echo (no database)", echo_server(workdir), hall, options, echo=True)


async def _spawned(
    name: str,
    child: Child,
    hall: Hall,
    options: LoadtestOptions,
    *,
    echo: bool,
    database: Backend = Backend(),
) -> TargetReport:
    try:
        await child.wait_ready(http=not echo)
        hall.base = child.base
        probe: Probe = child
        if options.slow_clients and not echo:
            async with slow_clients(child.port, options.slow_clients):
                report = await drive(name, hall, options.drive, probe, echo=echo, database=database)
        else:
            report = await drive(name, hall, options.drive, probe, echo=echo, database=database)
        if child.process.poll() is not None:
            report.problems.append(f"the server exited with {child.process.returncode}")
        return report
    except BaseException:
        sys.stderr.write(f"--- {name} output ---\n{child.output()}\n")
        raise
    finally:
        await child.stop()


@contextlib.asynccontextmanager
async def slow_clients(port: int, connections: int) -> AsyncIterator[None]:
    """`connections` slow and idle clients (server/loadtest/slow.py) against `port` while inside;
    what they saw goes to stderr as one line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.loadtest.slow", "--port", str(port), "--connections", str(connections),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    await asyncio.sleep(2)  # all of them connected
    try:
        yield
    finally:
        process.terminate()
        out, _ = await process.communicate()
        sys.stderr.write(f"slow clients: {out.decode().strip()}\n")


async def loadtest(options: LoadtestOptions) -> list[TargetReport]:
    """Run every target and return what each measured."""
    raise_open_files_limit()
    with tempfile.TemporaryDirectory(prefix="votehall-loadtest-") as folder:
        workdir = Path(folder)
        reports = [await _votehall(options, workdir)]
        if options.echo:
            reports.append(await _echo(options, workdir, like=reports[0]))
    return reports


def run(options: LoadtestOptions, *, as_json: bool = False) -> int:
    """The command: run, print, and exit 0 only when every correctness check passed."""
    try:
        reports = event_loop_runner(lambda: loadtest(options))
    except (RuntimeError, ValueError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    if as_json:
        print_json(reports, options)
    else:
        print_table(reports, options)
    return 0 if all(report.passed for report in reports) else 1

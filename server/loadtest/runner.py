"""One load-test run: connect the kiosks, then burst after burst, each checked against the ledger.

A burst is one ballot: the chair opens it, every kiosk votes on the push, the display must show
the kiosks' own tally, and the closed result (a recount from the database) must equal it. The
server's CPU seconds are read from /proc around each phase, so the report can say what a
thousand votes cost the server, apart from what they cost the load client on the same cores.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.loadtest.display import Chair, DisplayWatcher, EchoChair
from server.loadtest.kiosks import explain, spread
from server.loadtest.pool import KioskPool, SliceSpec, make_pool
from server.loadtest.spawn import Hall, cpu_seconds, machine_cpu, peak_rss_mb
from server.loadtest.stats import CHOICES, BurstPlan, BurstResult, ConnectStats

DISPLAY_WAIT = 10.0


@dataclass(frozen=True, slots=True)
class DriveOptions:
    votes: int = 1
    think_ms: float = 0.0
    client_procs: int = 1
    bursts: int = 1
    deflate: bool = False
    timeout: float = 120.0
    seed: int = 1


class CpuProbe(Protocol):
    """CPU seconds so far of what a probe watches."""

    def cpu_seconds(self) -> float: ...


class Probe(Protocol):
    """Where the server's own accounting comes from (a child process, or a given pid)."""

    def cpu_seconds(self) -> float: ...

    def peak_rss_mb(self) -> float: ...


@dataclass(frozen=True, slots=True)
class PidProbe:
    """Given server processes: their CPU seconds summed, the largest peak memory of one."""

    pids: tuple[int, ...]

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def peak_rss_mb(self) -> float:
        return max(peak_rss_mb(pid) for pid in self.pids)


class ChairLike(Protocol):
    async def action(self, ballot_id: int, action: str) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


@dataclass(slots=True)
class BurstReport:
    ballot: int
    result: BurstResult
    window: float  # seconds from the chair's open to the last kiosk done
    server_cpu: float | None
    machine_busy: float  # share of all cores in use during the window, by any process
    database_cpu: float | None = None  # the local PostgreSQL's processes (postgres_cpu)
    display_ms: float | None = None  # the last display to show the ledger's tally
    displays_ms: dict[str, float | None] = field(default_factory=dict)  # by server
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class TargetReport:
    name: str
    requested: int
    connect: ConnectStats
    connect_server_cpu: float | None
    client_procs: int
    bursts: list[BurstReport] = field(default_factory=list)
    peak_rss_mb: float | None = None
    display_reconnects: int = 0
    servers: int = 1
    problems: list[str] = field(default_factory=list)
    postgres: bool = False  # on PostgreSQL: its CPU is part of a vote's cost (database_cpu)

    @property
    def passed(self) -> bool:
        return not self.problems and all(burst.passed for burst in self.bursts)


def _delta(probe: CpuProbe | None, before: float | None) -> float | None:
    return None if probe is None or before is None else probe.cpu_seconds() - before


@dataclass(frozen=True, slots=True)
class Backend:
    """The database behind the server: PostgreSQL or not, and its CPU when it can be read."""

    postgres: bool = False
    probe: CpuProbe | None = None


async def drive(
    name: str,
    hall: Hall,
    options: DriveOptions,
    probe: Probe | None,
    *,
    echo: bool = False,
    database: Backend = Backend(),
) -> TargetReport:
    """Run the kiosks of `hall` against its server(s) and check every burst. With several
    servers the kiosks are spread over them round robin, and every server's display must show
    the ledger's tally."""
    servers = hall.ws_bases
    pool = make_pool(SliceSpec(spread(servers, hall.passes), options.deflate), options.client_procs)
    chair: ChairLike = EchoChair(hall.ws) if echo else Chair(hall.base, hall.chair_token or "")
    watchers = [] if echo else [DisplayWatcher(server) for server in servers]
    try:
        before = probe.cpu_seconds() if probe else None
        connect = await pool.connect()
        report = TargetReport(
            name,
            len(hall.passes),
            connect,
            _delta(probe, before),
            options.client_procs,
            servers=len(servers),
            postgres=database.postgres,
        )
        if connect.connected != len(hall.passes):
            why = ", ".join(f"{explain(k)} x{v}" for k, v in connect.failed.most_common())
            report.problems.append(f"{len(hall.passes) - connect.connected} kiosks could not connect: {why}")
        if not connect.connected:
            return report  # no burst without kiosks (a closed meeting, passes of another meeting)
        for watcher in watchers:
            await watcher.start()
        for index, ballot in enumerate(hall.ballots[: options.bursts]):
            plan = BurstPlan(ballot, options.votes, options.think_ms, options.timeout, options.seed + index)
            report.bursts.append(
                await _burst(plan, pool, chair, watchers, probe, database.probe, checked=not echo)
            )
        report.peak_rss_mb = probe.peak_rss_mb() if probe else None
        report.display_reconnects = sum(watcher.reconnects for watcher in watchers)
        return report
    finally:
        for watcher in watchers:
            await watcher.stop()
        await chair.aclose()
        await pool.close()


async def _burst(
    plan: BurstPlan,
    pool: KioskPool,
    chair: ChairLike,
    watchers: list[DisplayWatcher],
    probe: Probe | None,
    database_probe: CpuProbe | None,
    *,
    checked: bool,
) -> BurstReport:
    done = await pool.arm(plan)
    before = probe.cpu_seconds() if probe else None
    database_before = database_probe.cpu_seconds() if database_probe else None
    machine_before = machine_cpu()
    opened = time.monotonic()
    await chair.action(plan.ballot, "open")
    result: BurstResult = await done
    window = time.monotonic() - opened
    busy, total = (after - was for after, was in zip(machine_cpu(), machine_before, strict=True))
    burst = BurstReport(
        plan.ballot,
        result,
        window,
        _delta(probe, before),
        busy / max(total, 1e-9),
        _delta(database_probe, database_before),
    )
    expected = result.kiosks * plan.votes
    if result.acked != expected or result.complete != result.kiosks:
        burst.problems.append(f"{result.acked} of {expected} votes acknowledged")
    if result.errors:
        burst.problems.append("errors: " + ", ".join(f"{k} x{v}" for k, v in result.errors.most_common()))
    tally = result.tally()
    seen = await asyncio.gather(
        *(watcher.first(plan.ballot, len(result.ledger), tally, DISPLAY_WAIT) for watcher in watchers)
    )
    for watcher, shown in zip(watchers, seen, strict=True):
        if shown is None:
            where = f" of {watcher.base}" if len(watchers) > 1 else ""
            burst.problems.append(f"the display{where} never showed {len(result.ledger)} voters and {tally}")
        burst.displays_ms[watcher.base] = (
            (shown.at - result.last_ack) * 1000 if shown and result.acked else None
        )
    if watchers and result.acked and None not in burst.displays_ms.values():
        burst.display_ms = max(ms for ms in burst.displays_ms.values() if ms is not None)
    closed = await chair.action(plan.ballot, "close")
    if checked:
        burst.problems.extend(_check_closed(closed, len(result.ledger), tally))
    return burst


def _check_closed(closed: dict[str, Any], voters: int, tally: dict[str, int]) -> list[str]:
    """The closed result is a recount from the database: it must equal the kiosks' ledger."""
    result = closed.get("result") or {}
    found = {choice: result.get(choice) for choice in CHOICES}
    problems = []
    if found != tally:
        problems.append(f"closed tally {found} != ledger {tally}")
    if result.get("members_voted") != voters:
        problems.append(f"closed result counts {result.get('members_voted')} voters, ledger {voters}")
    return problems

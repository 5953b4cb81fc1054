"""The kiosks of a run, in this process or spread over several client processes.

On two shared cores one Python process cannot frame 10,000 sockets' messages as fast as the
server can commit them, so `--client-procs P` runs a slice of the kiosks in each of P processes
(each with its own event loop) and merges what they measured. The parent keeps the chair and the
display, and tells the workers when to connect, when to expect a burst and when to hang up.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import resource
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

from server.loadtest.kiosks import KioskSlice, Target
from server.loadtest.stats import BurstPlan, BurstResult, ConnectStats, merge_bursts, merge_connects

T = TypeVar("T")


def raise_open_files_limit() -> int:
    """Lift the soft RLIMIT_NOFILE to the hard limit: every kiosk is a file descriptor, and a
    server started from here inherits the limit too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def event_loop_runner(main: Callable[[], Awaitable[T]]) -> T:
    """Run `main` on uvloop when it is installed (as uvicorn[standard] brings it), else asyncio."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
        return asyncio.run(_as_coroutine(main))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_as_coroutine(main))


async def _as_coroutine(main: Callable[[], Awaitable[T]]) -> T:
    return await main()


class KioskPool(Protocol):
    async def connect(self) -> ConnectStats: ...

    async def arm(self, plan: BurstPlan) -> Awaitable[BurstResult]:
        """Get ready for a burst; the returned awaitable ends when every kiosk has voted."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SliceSpec:
    targets: Sequence[Target]  # (member code, pass token, server ws base), see kiosks.spread
    deflate: bool


class LocalPool:
    """All kiosks in this process's event loop."""

    def __init__(self, spec: SliceSpec) -> None:
        self._slice = KioskSlice(spec.targets, deflate=spec.deflate)

    async def connect(self) -> ConnectStats:
        return await self._slice.connect()

    async def arm(self, plan: BurstPlan) -> Awaitable[BurstResult]:
        task = asyncio.create_task(self._slice.burst(plan))
        await asyncio.sleep(0)  # every kiosk is now waiting for the push
        return task

    async def close(self) -> None:
        await self._slice.close()


def _worker(pipe: Connection, spec: SliceSpec) -> None:
    """A client process: obey the parent's commands on `pipe` until told to close."""
    raise_open_files_limit()
    kiosks = KioskSlice(spec.targets, deflate=spec.deflate)

    async def serve() -> None:
        while True:
            command, argument = await asyncio.to_thread(pipe.recv)
            if command == "connect":
                pipe.send(await kiosks.connect())
            elif command == "burst":
                task = asyncio.create_task(kiosks.burst(argument))
                await asyncio.sleep(0)
                pipe.send("armed")
                pipe.send(await task)
            else:
                await kiosks.close()
                pipe.send("closed")
                return

    event_loop_runner(serve)


class ProcessPool:
    """The kiosks split over `procs` worker processes (spawned, not forked: the parent runs an
    event loop and threads, which a fork would copy in an undefined state)."""

    def __init__(self, spec: SliceSpec, procs: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipes: list[Connection] = []
        self._processes: list[BaseProcess] = []
        for index in range(procs):
            ours, theirs = context.Pipe()
            part = SliceSpec(list(spec.targets[index::procs]), spec.deflate)
            process = context.Process(target=_worker, args=(theirs, part), daemon=True)
            process.start()
            theirs.close()
            self._pipes.append(ours)
            self._processes.append(process)

    async def _ask(self, command: str, argument: Any = None) -> list[Any]:
        for pipe in self._pipes:
            pipe.send((command, argument))
        return list(await asyncio.gather(*(asyncio.to_thread(pipe.recv) for pipe in self._pipes)))

    async def connect(self) -> ConnectStats:
        return merge_connects(await self._ask("connect"))

    async def arm(self, plan: BurstPlan) -> Awaitable[BurstResult]:
        await self._ask("burst", plan)
        return asyncio.ensure_future(self._results())

    async def _results(self) -> BurstResult:
        parts = await asyncio.gather(*(asyncio.to_thread(pipe.recv) for pipe in self._pipes))
        return merge_bursts(parts)

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._ask("close"), 60)
        except (TimeoutError, EOFError, OSError):
            pass
        finally:
            for process in self._processes:
                await asyncio.to_thread(process.join, 10)
                if process.is_alive():
                    process.kill()
                    await asyncio.to_thread(process.join, 5)
                process.close()
            for pipe in self._pipes:
                pipe.close()


def make_pool(spec: SliceSpec, procs: int) -> KioskPool:
    return LocalPool(spec) if procs <= 1 else ProcessPool(spec, procs)

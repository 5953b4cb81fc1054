"""Garbage-collector probe for the benchmarks: time every collection, or change the collector,
in the server under test without touching the product. Python imports `sitecustomize` at start-up
from the path, and the load test's servers inherit the environment, so:

    PYTHONPATH=bench python bench/burst.py --only simultaneous --no-echo
    PYTHONPATH=bench GC_MODE_SERVER=off python bench/burst.py ...
    PYTHONPATH=bench GC_THRESHOLD_SERVER=100000,50,1000 python bench/burst.py ...

    PYTHONPATH=bench TRACEMALLOC_SERVER=1 python bench/burst.py --only simultaneous --no-echo

`TRACEMALLOC_<ROLE>=N` traces allocations with N frames each and writes, every 5 seconds, the
traced total and the 30 biggest allocation sites (by line, and by file) to
/tmp/tracemalloc.<role>.<pid>, so that where the memory of 10,000 sockets goes can be read off.
`GC_MODE_<ROLE>` is `off` (no automatic collection) or `freeze` (`gc.freeze()` every second);
`GC_THRESHOLD_<ROLE>` sets `gc.set_threshold`. ROLE is SERVER (`votehall serve`), ECHO or CLIENT.
Every full collection, and any other one over 20 ms of CPU, is logged with its thread CPU time
to /tmp/gclog.<role>.<pid>, with running totals per generation.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from typing import Any

ROLE = "server" if "serve" in sys.argv else ("echo" if sys.argv[0].endswith("echo.py") else "client")
_started = [0.0]
_totals = {generation: [0, 0.0] for generation in range(3)}


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.thread_time()
        return
    generation, spent = info["generation"], time.thread_time() - _started[0]
    _totals[generation][0] += 1
    _totals[generation][1] += spent
    if generation == 2 or spent > 0.02:
        with open(f"/tmp/gclog.{ROLE}.{os.getpid()}", "a") as log:
            log.write(
                f"{time.monotonic():.3f} gen{generation} {spent * 1000:.0f}ms "
                f"collected={info['collected']} totals={_totals} cpu={time.process_time():.2f}\n"
            )


def _freeze_every_second() -> None:
    while True:
        time.sleep(1.0)
        gc.freeze()


if ROLE != "client" or os.environ.get("GC_MODE_CLIENT") or os.environ.get("GC_THRESHOLD_CLIENT"):
    gc.callbacks.append(_timed)
    threshold = os.environ.get(f"GC_THRESHOLD_{ROLE.upper()}")
    if threshold:
        gc.set_threshold(*(int(value) for value in threshold.split(",")))
    mode = os.environ.get(f"GC_MODE_{ROLE.upper()}")
    if mode == "off":
        gc.disable()
    elif mode == "freeze":
        threading.Thread(target=_freeze_every_second, name="gc-freeze", daemon=True).start()


def _trace_memory(path: str) -> None:
    import tracemalloc

    while True:
        time.sleep(5.0)
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [
                tracemalloc.Filter(False, tracemalloc.__file__),
                tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            ]
        )
        current, peak = tracemalloc.get_traced_memory()
        lines = [f"traced {current / 1e6:.1f} MB, peak {peak / 1e6:.1f} MB, at {time.monotonic():.1f}"]
        for key in ("lineno", "filename"):
            lines.append(f"-- by {key}")
            for stat in snapshot.statistics(key)[:30]:
                frame = stat.traceback[0]
                where = f"{frame.filename}:{frame.lineno}" if key == "lineno" else frame.filename
                lines.append(f"{stat.size / 1e6:8.1f} MB {stat.count:9,} blocks  {where}")
        with open(path, "w") as out:
            out.write("\n".join(lines) + "\n")


_frames = os.environ.get(f"TRACEMALLOC_{ROLE.upper()}")
if _frames:
    import tracemalloc

    tracemalloc.start(int(_frames))
    threading.Thread(
        target=_trace_memory,
        args=(f"/tmp/tracemalloc.{ROLE}.{os.getpid()}",),
        name="tracemalloc",
        daemon=True,
    ).start()

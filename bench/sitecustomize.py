"""Garbage-collector probe for the benchmarks: time every collection, or change the collector,
in the server under test without touching the product. Python imports `sitecustomize` at start-up
from the path, and the load test's servers inherit the environment, so:

    PYTHONPATH=bench python bench/burst.py --only simultaneous --no-echo
    PYTHONPATH=bench GC_MODE_SERVER=off python bench/burst.py ...
    PYTHONPATH=bench GC_THRESHOLD_SERVER=100000,50,1000 python bench/burst.py ...

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

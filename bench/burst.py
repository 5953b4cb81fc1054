"""The SPEC 5 acceptance scenario: 10,000 kiosks on one server process, a 10,000-vote burst.

    python bench/burst.py                      # SQLite (WAL, synchronous=FULL)
    python bench/burst.py --postgres           # the same on PostgreSQL (a scratch database)
    python bench/burst.py --kiosks 2000 --bursts 3 --client-procs 2 --json
    python bench/burst.py --postgres --processes 2 # two server processes sharing Redis (scale out)

Two runs, each a fresh server:

1. simultaneous: every kiosk votes the moment the ballot push reaches it, against VoteHall and
   then the echo server. This is the capacity figure (durable votes/s, and durable / echo).
2. spread: every kiosk votes after a random think time of up to `--spread` ms (1,000: ten
   thousand votes offered within a second, i.e. 10,000 votes/s). This is the latency figure:
   when all 10,000 votes are sent in the same instant, even a server acking 10,000/s makes the
   last of them wait a second, so a p99 under 250 ms only has meaning for an offered rate.

Every burst is one ballot: the chair opens it, each kiosk votes once, the hall display must
show the kiosks' tally, and the closed result must equal it. Prints the machine, the exact
`votehall loadtest` commands, and the figures with the targets beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/votehall_bench"


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--bursts", type=int, default=5, help="ballots, one burst each (p99 of display)")
    parser.add_argument("--votes", type=int, default=1)
    parser.add_argument("--client-procs", type=int, default=1)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=SCRATCH_POSTGRES,
        metavar="URL",
        help=f"run on PostgreSQL; the database's public schema is dropped (default {SCRATCH_POSTGRES})",
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="server processes of one hall (needs --postgres and Redis)"
    )
    parser.add_argument("--redis", default=os.environ.get("VOTEHALL_REDIS_URL", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--spread", type=float, default=1000.0, help="think time of the spread run, ms")
    parser.add_argument("--only", choices=["simultaneous", "spread"], help="run only one of the two")
    parser.add_argument("--no-echo", action="store_true")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()

    common = [
        f"--kiosks={arguments.kiosks}",
        f"--bursts={arguments.bursts}",
        f"--votes={arguments.votes}",
        f"--client-procs={arguments.client_procs}",
    ]
    if arguments.postgres:
        common.append(f"--database-url={arguments.postgres}")
    if arguments.processes > 1:
        if not arguments.postgres:
            parser.error("--processes above 1 needs --postgres")
        common += [f"--processes={arguments.processes}", f"--redis-url={arguments.redis}"]
        arguments.no_echo = True  # the echo comparison is a one-process figure
    if arguments.json:
        common.append("--json")
    runs = {
        "simultaneous": [*common, *(["--no-echo"] if arguments.no_echo else [])],
        "spread": [*common, f"--think={arguments.spread}", "--no-echo"],
    }
    if not arguments.json:
        print(f"machine: {machine()}")
    failed = 0
    for name, options in runs.items():
        if arguments.only and name != arguments.only:
            continue
        if not arguments.json:
            load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
            print(f"\n== {name}: votehall loadtest {shlex.join(options)}")
            print(f"load average before (1, 5, 15 min): {load}", flush=True)
        command = [sys.executable, "-m", "server", "loadtest", *options]
        failed |= subprocess.run(command, cwd=ROOT, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())

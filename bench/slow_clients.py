"""The vote path with and without 1,000 slow and idle connections held against the server.

    python bench/slow_clients.py                         # 10,000 kiosks, 3 bursts, 1,000 slow clients
    python bench/slow_clients.py --kiosks 2000 --slow 500 --postgres

Runs `votehall loadtest --no-echo --json` in the order without, with, with, without (so that
a machine that gets busier or quieter during the runs weighs on both sides alike), each on a
fresh server. "With" adds `--slow-clients N`: N connections from 127.0.0.2 (server/loadtest/
slow.py), half silent and half dribbling a header a byte a second, each reopened as soon as the
server closes it (after VOTEHALL_HEADER_TIMEOUT, 5 s), for the whole run. Prints the vote path's
figures of every run and the mean of each side, and how many slow connections the server closed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from statistics import mean
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/votehall_bench"
FIGURES = [
    ("acks_per_s", "burst rate, acks/s", "{:,.0f}"),
    ("p50_ms", "ack p50, ms", "{:.1f}"),
    ("p99_ms", "ack p99, ms", "{:.1f}"),
    ("server_cpu_ms_per_1000_votes", "server CPU per 1,000 votes, ms", "{:.0f}"),
    ("display_p99_ms", "last vote to display p99, ms", "{:.1f}"),
    ("connects_per_s", "connect ramp, kiosks/s", "{:,.0f}"),
]


def run(arguments: argparse.Namespace, slow: int) -> tuple[dict[str, Any], str]:
    command = [
        sys.executable, "-m", "server", "loadtest", f"--kiosks={arguments.kiosks}",
        f"--bursts={arguments.bursts}", "--no-echo", "--json",
    ]  # fmt: skip
    if arguments.postgres:
        command.append(f"--database-url={arguments.postgres}")
    if slow:
        command.append(f"--slow-clients={slow}")
    print("$", shlex.join(command), flush=True)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr)
        raise SystemExit(f"loadtest failed with {done.returncode}")
    seen = next((line for line in done.stderr.splitlines() if line.startswith("slow clients:")), "")
    document: dict[str, Any] = json.loads(done.stdout)
    return document, seen.removeprefix("slow clients: ")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kiosks", type=int, default=10_000)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--slow", type=int, default=1000, help="slow and idle connections")
    parser.add_argument("--postgres", nargs="?", const=SCRATCH_POSTGRES, metavar="URL")
    arguments = parser.parse_args()

    runs: list[tuple[str, dict[str, Any], str]] = []
    for side in ("without", "with", "with", "without"):
        document, seen = run(arguments, arguments.slow if side == "with" else 0)
        runs.append((side, document, seen))

    print()
    header = ["", *(f"{side} #{n + 1}" for n, (side, _, _) in enumerate(runs)), "mean without", "mean with"]
    rows = [header]
    for key, label, fmt in FIGURES:
        values = [document["targets"][0].get(key) for _, document, _ in runs]
        cells = [fmt.format(v) if v is not None else "-" for v in values]
        means = []
        for side in ("without", "with"):
            side_values = [
                v for (s, _, _), v in zip(runs, values, strict=True) if s == side and v is not None
            ]
            means.append(fmt.format(mean(side_values)) if side_values else "-")
        rows.append([label, *cells, *means])
    rows.append(
        ["correctness", *("PASS" if d["targets"][0]["passed"] else "FAIL" for _, d, _ in runs), "", ""]
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    for n, (side, _, seen) in enumerate(runs):
        if seen:
            print(f"slow clients in run {side} #{n + 1}: {seen}")
    return 0 if all(document["targets"][0]["passed"] for _, document, _ in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())

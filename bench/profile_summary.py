"""Summarise py-spy's collapsed stacks (`py-spy record --format raw`): where the server's time went.

    python bench/profile_summary.py /tmp/votehall-profile.txt [TOP]

Prints the share of samples per area of the vote path (inclusive), then the functions with the
most samples of their own. Line numbers are folded so a function counts once.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# Area -> a frame pattern; a sample counts for every area one of its frames matches.
AREAS = {
    "kiosk frame in (uvicorn/websockets parse + receive)": r"WebSocketsSansIOProtocol\.data_received",
    "kiosk frame out (starlette send -> uvicorn -> socket)": r"WebSocket\.send \(starlette",
    "hub.vote + writer.submit (await the group commit)": r"LiveHub\.vote ",
    "vote writer batch (_run: SQL, commit, resolve futures)": r"VoteWriter\._run ",
    "  of which SQLAlchemy execute": r"VoteWriter\._commit .*Session\.execute",
    "  of which receipts": r"receipt_for",
    "ballot push broadcast (hub._broadcast)": r"LiveHub\._broadcast",
    "feed snapshot (FeedPublisher.refresh)": r"FeedPublisher\.refresh",
    "aiosqlite worker thread (SQLite itself)": r"_connection_worker_thread",
    "HTTP (chair open/close)": r"RequestResponseCycle\.run_asgi",
    "WebSocket handshakes": r"handle_websocket_upgrade|ServerProtocol\.parse",
    "garbage collector (--native only)": r"gc_collect|collect_main|_PyObject_GC",
    "logging": r"Logger\.",
}


def main(path: Path, top: int) -> None:
    own: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for area, pattern in AREAS.items():
            if re.search(pattern, stack):
                areas[area] += samples
    print(f"{total} samples of the server while it was on a CPU")
    print("\nby area (inclusive; areas overlap):")
    for area in AREAS:
        print(f"  {areas[area] / max(total, 1):6.1%}  {area}")
    print(f"\ntop {top} functions by own samples:")
    for frame, samples in own.most_common(top):
        print(f"  {samples / max(total, 1):6.1%}  {frame}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25)

"""The CPU a local PostgreSQL spends for the server under test, read from /proc like the server's.

On PostgreSQL part of every vote's cost is in the database's own processes (parsing, planning,
index and WAL writes), which the server's /proc accounting does not show: comparing the server
alone with the echo server would flatter PostgreSQL. This probe sums utime + stime of the
postmaster's children that work for the benchmark's database - its backends (their command line
names the database) and the shared auxiliary processes that write its WAL and pages (walwriter,
checkpointer, background writer) - so that backends of other databases on the same cluster (tests
running meanwhile) stay out. It only works when the cluster runs on this machine and /proc shows
its processes; `for_url` answers None otherwise, and the report says "not measured".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from server.loadtest.spawn import cpu_seconds

LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}
# Auxiliary processes whose work is shared by every database; the WAL a commit writes is theirs.
AUXILIARY = ("walwriter", "checkpointer", "background writer")


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()


def _parent(pid: int) -> int:
    """Field 4 of /proc/PID/stat (after the command name, which may hold spaces)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def postmasters() -> list[int]:
    """Pids of the PostgreSQL postmasters on this machine: `postgres -D ...` processes whose
    parent is not a postgres process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = _cmdline(int(entry.name))
            if command.split(" ", 1)[0].endswith("/postgres") and " -D " in f" {command} ":
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue  # a process that exited meanwhile
    return found


@dataclass(frozen=True, slots=True)
class PostgresProbe:
    """CPU seconds of the local cluster's processes working for `database`."""

    database: str

    def _counted(self, command: str) -> bool:
        # "postgres: 15/main: USER DATABASE HOST(PORT) STATE" for a backend.
        words = command.split(": ", 2)
        if len(words) < 3:
            return False
        title = words[2]
        return title.startswith(AUXILIARY) or f" {self.database} " in f" {title} "

    def cpu_seconds(self) -> float:
        masters = set(postmasters())
        total = 0.0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                if _parent(pid) in masters and self._counted(_cmdline(pid)):
                    total += cpu_seconds(pid)
            except (OSError, ValueError, IndexError):
                continue  # exited between the listing and the read: its last slice is lost
        return total


def for_url(url: str) -> PostgresProbe | None:
    """A probe for a PostgreSQL URL whose server runs here (its processes visible in /proc)."""
    if not url.startswith("postgresql"):
        return None
    parsed = make_url(url)
    if (parsed.host or "") not in LOCAL_HOSTS or not parsed.database or not postmasters():
        return None
    return PostgresProbe(parsed.database)

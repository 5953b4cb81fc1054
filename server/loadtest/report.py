"""The figures of a run: a readable table (rich) or JSON, with the SPEC 5 targets beside them.

Wall-clock rates on two shared cores say as much about the load client as about the server, so
the report also gives the server's CPU per thousand votes and how busy each side was during the
burst, and names the side that limited the rate.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console
from rich.table import Table

from server.loadtest.kiosks import explain
from server.loadtest.stats import latency_summary, percentile

if TYPE_CHECKING:
    from server.loadtest.main import LoadtestOptions
    from server.loadtest.runner import TargetReport

TARGET_RATE = 10_000.0
TARGET_P99_MS = 250.0
TARGET_DISPLAY_MS = 100.0
TARGET_RATIO = 0.5
BUSY = 0.8  # a side using 80 % of a core during the burst is the one that limits


def _per_thousand(cpu: float | None, count: int) -> float | None:
    return None if cpu is None or not count else cpu * 1000 / count * 1000


def limiter(server_busy: float | None, client_busy: float, client_procs: int, machine_busy: float) -> str:
    """Which side limited the burst's wall-clock rate, judged by CPU use per core."""
    if server_busy is not None and server_busy >= BUSY:
        return "server (its one event loop is saturated)"
    if client_busy >= BUSY:
        return "client" + (" (use --client-procs 2)" if client_procs == 1 else "")
    if machine_busy >= BUSY:
        return "machine (all cores busy, other processes included)"
    return "neither saturated: latency-bound (commit and fan-out waits)"


def summarise(report: TargetReport) -> dict[str, Any]:
    bursts = report.bursts
    acked = sum(b.result.acked for b in bursts)
    burst_seconds = sum(b.result.seconds for b in bursts)
    server_cpu = None if any(b.server_cpu is None for b in bursts) else sum(b.server_cpu or 0 for b in bursts)
    database_cpu = (
        None
        if not report.postgres or any(b.database_cpu is None for b in bursts)
        else sum(b.database_cpu or 0 for b in bursts)
    )
    window = sum(b.window for b in bursts) or math.nan
    client_cpu = sum(b.result.client_cpu for b in bursts)
    server_busy = server_cpu / window if server_cpu is not None else None
    client_busy = client_cpu / window / max(report.client_procs, 1)
    machine_busy = sum(b.machine_busy * b.window for b in bursts) / window
    displays = sorted(b.display_ms for b in bursts if b.display_ms is not None)
    errors: dict[str, int] = {}
    retried: dict[str, int] = {}
    by_server: dict[str, list[float | None]] = {}
    for burst in bursts:
        for code, count in burst.result.errors.items():
            errors[code] = errors.get(code, 0) + count
        for code, count in burst.result.retried.items():
            retried[code] = retried.get(code, 0) + count
        for server, ms in burst.displays_ms.items():
            by_server.setdefault(server, []).append(ms)
    return {
        "target": report.name,
        "kiosks": report.requested,
        "connected": report.connect.connected,
        "connect_failures": dict(report.connect.failed),
        "connect_seconds": report.connect.seconds,
        "connects_per_s": report.connect.rate,
        "server_cpu_ms_per_1000_connects": _per_thousand(report.connect_server_cpu, report.connect.connected),
        "bursts": len(bursts),
        "votes_sent": sum(b.result.sent for b in bursts),
        "votes_acked": acked,
        "acks_per_s": acked / burst_seconds if burst_seconds else 0.0,
        "acks_per_s_by_burst": [b.result.rate for b in bursts],
        **latency_summary(lat for b in bursts for lat in b.result.latencies),
        "errors": errors,
        "display_ms_by_burst": [b.display_ms for b in bursts],
        "servers": report.servers,
        "display_ms_by_server": by_server,
        "kiosk_reconnects": sum(b.result.reconnects for b in bursts),
        "kiosk_reconnect_failures": sum(b.result.reconnect_failures for b in bursts),
        "votes_resent": sum(b.result.resent for b in bursts),
        "retried": retried,
        "display_p99_ms": percentile(displays, 0.99) if displays else None,
        "server_cpu_ms_per_1000_votes": _per_thousand(server_cpu, acked),
        "postgres": report.postgres,
        # The local PostgreSQL's processes for the database (server/loadtest/postgres_cpu.py);
        # None when not on PostgreSQL or when its processes cannot be read here.
        "database_cpu_ms_per_1000_votes": _per_thousand(database_cpu, acked),
        "server_busy": server_busy,
        "client_busy": client_busy,
        "client_procs": report.client_procs,
        "machine_busy": machine_busy,
        "limited_by": limiter(server_busy, client_busy, report.client_procs, machine_busy),
        "server_peak_rss_mb": report.peak_rss_mb,
        "display_reconnects": report.display_reconnects,
        "passed": report.passed,
        "problems": report.problems + [f"ballot {b.ballot}: {p}" for b in bursts for p in b.problems],
    }


def verdicts(
    votehall: dict[str, Any], echo: dict[str, Any] | None, think_ms: float = 0.0
) -> list[tuple[str, str, bool | None]]:
    """SPEC 5 targets: (what, measured, met?). With think time the rate is the offered one
    (kiosks / think time), not a capacity, so it is not held against the target."""
    rate, p99, display = votehall["acks_per_s"], votehall["p99_ms"], votehall["display_p99_ms"]
    rows: list[tuple[str, str, bool | None]] = [
        (
            f"burst >= {TARGET_RATE:,.0f} durable votes/s",
            f"{rate:,.0f}/s",
            None if think_ms else rate >= TARGET_RATE,
        ),
        (f"p99 ack < {TARGET_P99_MS:g} ms", f"{p99:.1f} ms", p99 < TARGET_P99_MS),
        (
            f"last vote to display < {TARGET_DISPLAY_MS:g} ms (p99)",
            "-" if display is None else f"{display:.1f} ms",
            None if display is None else display < TARGET_DISPLAY_MS,
        ),
    ]
    if echo is not None and echo["acks_per_s"]:
        ratio = rate / echo["acks_per_s"]
        rows.append((f"durable / echo >= {TARGET_RATIO:g}", f"{ratio:.2f}", ratio >= TARGET_RATIO))
    return rows


def cpu_ratios(votehall: dict[str, Any], echo: dict[str, Any] | None) -> list[tuple[str, float | None]]:
    """The server's CPU per vote over the echo server's CPU per ack; on PostgreSQL also the
    server's plus the database processes' (None: not measured)."""
    echo_ms = echo["server_cpu_ms_per_1000_votes"] if echo is not None else None
    server_ms = votehall["server_cpu_ms_per_1000_votes"]
    if not echo_ms or server_ms is None:
        return []
    ratios: list[tuple[str, float | None]] = [("server CPU per vote / echo CPU per ack", server_ms / echo_ms)]
    if votehall["postgres"]:
        database_ms = votehall["database_cpu_ms_per_1000_votes"]
        ratios.append(
            (
                "(server + PG backends) CPU per vote / echo CPU per ack",
                None if database_ms is None else (server_ms + database_ms) / echo_ms,
            )
        )
    return ratios


def _fmt(value: Any, spec: str = ",.0f", unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:{spec}}{unit}"


ROWS: list[tuple[str, str, str, str]] = [
    ("kiosks connected", "connected", ",d", ""),
    ("connect ramp", "connects_per_s", ",.0f", " conn/s"),
    ("server CPU per 1,000 connects", "server_cpu_ms_per_1000_connects", ",.0f", " ms"),
    ("votes acked", "votes_acked", ",d", ""),
    ("burst rate (first send -> last ack)", "acks_per_s", ",.0f", " acks/s"),
    ("ack latency p50", "p50_ms", ".1f", " ms"),
    ("ack latency p95", "p95_ms", ".1f", " ms"),
    ("ack latency p99", "p99_ms", ".1f", " ms"),
    ("ack latency max", "max_ms", ".1f", " ms"),
    ("last vote to display (p99 of bursts)", "display_p99_ms", ".1f", " ms"),
    ("server CPU per 1,000 votes", "server_cpu_ms_per_1000_votes", ",.0f", " ms"),
    ("PostgreSQL CPU per 1,000 votes", "database_cpu_ms_per_1000_votes", ",.0f", " ms"),
    ("server busy during bursts", "server_busy", ".0%", " of a core"),
    ("client busy during bursts", "client_busy", ".0%", " of a core/proc"),
    ("machine busy during bursts", "machine_busy", ".0%", " of all cores"),
    ("server peak memory (VmHWM)", "server_peak_rss_mb", ",.0f", " MB"),
    ("kiosk reconnects", "kiosk_reconnects", ",d", ""),
    ("votes resent (same vote_id)", "votes_resent", ",d", ""),
]


def print_table(reports: list[TargetReport], options: LoadtestOptions) -> None:
    console = Console()
    summaries = [summarise(report) for report in reports]
    table = Table(title=f"votehall loadtest: {options.kiosks:,} kiosks x {options.drive.votes} vote(s)")
    table.add_column("")
    for summary in summaries:
        table.add_column(summary["target"], justify="right")
    on_postgres = any(s["postgres"] for s in summaries)
    for label, key, spec, unit in ROWS:
        if key == "database_cpu_ms_per_1000_votes":
            if not on_postgres:
                continue
            table.add_row(
                label,
                *(
                    ("not measured" if s[key] is None else _fmt(s[key], spec, unit)) if s["postgres"] else "-"
                    for s in summaries
                ),
            )
            continue
        table.add_row(label, *(_fmt(s[key], spec, unit) for s in summaries))
    table.add_row(
        "errors",
        *(", ".join(f"{explain(k)} x{v}" for k, v in s["errors"].items()) or "none" for s in summaries),
    )
    table.add_row("limited by", *(s["limited_by"] for s in summaries))
    console.print(table)
    for summary in summaries:
        rates = ", ".join(f"{rate:,.0f}" for rate in summary["acks_per_s_by_burst"])
        displays = ", ".join(_fmt(ms, ".1f") for ms in summary["display_ms_by_burst"])
        console.print(f"{summary['target']}: acks/s by burst [{rates}]; display ms by burst [{displays}]")
        if summary["servers"] > 1:
            for server, figures in summary["display_ms_by_server"].items():
                shown = ", ".join(_fmt(ms, ".1f") for ms in figures)
                console.print(f"  display of {server}: ms by burst [{shown}]")
        if summary["kiosk_reconnect_failures"] or summary["retried"]:
            retried = ", ".join(f"{k} x{v}" for k, v in summary["retried"].items()) or "none"
            console.print(
                f"  failed reconnect attempts {summary['kiosk_reconnect_failures']:,}; resent after {retried}"
            )
    echo = summaries[1] if len(summaries) > 1 else None
    for what, ratio in cpu_ratios(summaries[0], echo):
        console.print(f"cpu     {what:<56} {'not measured' if ratio is None else f'{ratio:.2f}x'}")
    for what, measured, met in verdicts(summaries[0], echo, options.drive.think_ms):
        mark = "[yellow]n/a[/]" if met is None else ("[green]met[/]" if met else "[red]NOT met[/]")
        console.print(f"target  {what:<42} {measured:>12}  {mark}")
    for summary in summaries:
        for problem in summary["problems"]:
            console.print(f"[red]problem[/] {summary['target']}: {problem}")
    passed = all(s["passed"] for s in summaries)
    console.print(
        "[bold green]PASS[/]" if passed else "[bold red]FAIL[/]",
        "correctness: every kiosk acked once per vote, display and closed result equal the kiosks' ledger",
    )


def print_json(reports: list[TargetReport], options: LoadtestOptions) -> None:
    summaries = [summarise(report) for report in reports]
    echo = summaries[1] if len(summaries) > 1 else None
    document = {
        "kiosks": options.kiosks,
        "votes": options.drive.votes,
        "think_ms": options.drive.think_ms,
        "client_procs": options.drive.client_procs,
        "targets": summaries,
        "verdicts": [
            {"target": w, "measured": m, "met": ok}
            for w, m, ok in verdicts(summaries[0], echo, options.drive.think_ms)
        ],
        "cpu_ratios": [{"what": what, "ratio": ratio} for what, ratio in cpu_ratios(summaries[0], echo)],
        "passed": all(s["passed"] for s in summaries),
    }
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    sys.stdout.write("\n")

"""`votehall verify`: the vote-counting committee's independent check of a meeting's log.

    votehall verify LOG [--record RECORD] [--head HASH ...] [--token TOKEN] [--receipt HEX ...]

LOG is an exported log (a file with one JSON object a line, `-` for standard input) or the URL
of the audit route (`https://host/api/meetings/7/audit`). The check:

1. the chain: every entry's hash, its link to the one before, sequence numbers without gaps
   (any altered, missing, inserted or reordered entry is named);
2. the replay: the meeting replayed with the pure rules of SPEC 2 (`server.audit.replay`),
   every result recomputed from the votes and compared with the result the log states;
3. the published record (`--record`, a file or URL of `record.json`; fetched by itself next to
   an audit URL once the meeting is published): every ballot's figures and every member's
   choice compared with the replay;
4. anchors (`--head`): hashes the committee wrote down at a close must be in the chain, which
   catches a log whose whole chain was recomputed after a change.

It prints per ballot the weighted totals, the percentage and the outcome, and exits 0 when all
agree, 1 when anything does not (each problem names its entry), 2 when the log can't be read.
This module imports only the standard library, the log's format and the pure rules: never the
server's database code (`tests/audit/test_verify.py` checks that).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from server.audit.chain import LogLine, check_chain, parse_line
from server.audit.replay import Replay, ReplayedBallot, replay, result_of
from server.rules import format_percent

MAX_DOWNLOAD = 512 * 1024 * 1024


class ReadError(Exception):
    """The log or the record could not be read at all."""


@dataclass(slots=True)
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _fetch(url: str, token: str | None) -> str:
    request = urllib.request.Request(url, headers={"Accept": "application/json, application/x-ndjson"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return str(response.read(MAX_DOWNLOAD).decode("utf-8"))
    except urllib.error.HTTPError as error:
        detail = error.read(4096).decode("utf-8", "replace")
        raise ReadError(f"{url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ReadError(f"could not fetch {url}: {error}") from None


def read_source(source: str, token: str | None, stdin: TextIO = sys.stdin) -> str:
    if source == "-":
        return stdin.read()
    if _is_url(source):
        return _fetch(source, token)
    try:
        with open(source, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ReadError(f"could not read {source}: {error}") from None


def parse_log(text: str, report: Report) -> list[LogLine]:
    lines: list[LogLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            lines.append(parse_line(raw))
        except ValueError as error:
            report.problems.append(f"line {number} is not a log entry ({error}); it was left out")
    return lines


def compare_record(state: Replay, record: dict[str, Any], report: Report) -> None:
    """The published record against the replay: figures per ballot, choice per member."""
    electronic = {
        b.id: b
        for b in state.ballots.values()
        if not b.test and b.decision is not None and b.status == "closed" and b.hand_count is None
    }
    decided = {b.id: b for b in state.ballots.values() if not b.test and b.outcome is not None}
    published = {int(b["id"]): b for b in record.get("ballots", [])}
    for ballot_id in sorted(decided.keys() - published.keys()):
        report.problems.append(f"ballot {ballot_id} was decided in the log but is missing from the record")
    for ballot_id, row in sorted(published.items()):
        ballot = decided.get(ballot_id)
        if ballot is None:
            report.problems.append(f"the record lists ballot {ballot_id}, which the log did not decide")
            continue
        expected: dict[str, Any] = ballot.result() or {"outcome": ballot.outcome}
        for name, value in expected.items():
            if row.get(name) != value:
                report.problems.append(
                    f"ballot {ballot_id}: the record says {name} {row.get(name)!r}, the log gives {value!r}"
                )
    for member in record.get("members", []):
        code = member.get("code")
        seat = state.register.get(code)
        if seat is None:
            report.problems.append(f"the record lists member {code!r}, who is not in the frozen register")
            continue
        if member.get("weight") != seat.weight:
            report.problems.append(
                f"member {code}: the record says weight {member.get('weight')!r}, the log {seat.weight}"
            )
        votes = member.get("votes", {})
        for ballot_id, ballot in electronic.items():
            choice = ballot.choices.get(code)
            stated = votes.get(str(ballot_id))
            if stated != (choice.value if choice else None):
                report.problems.append(
                    f"member {code}, ballot {ballot_id}: the record says {stated!r}, "
                    f"the log gives {choice.value if choice else None!r}"
                )
    listed = {m.get("code") for m in record.get("members", [])}
    for code in sorted(state.register.keys() - listed):
        report.problems.append(f"member {code} of the frozen register is missing from the record")


HASH_LENGTH = 64  # hex characters of a SHA-256 hash
RECEIPT_MINIMUM = 8  # hex characters of a receipt that find one entry among millions
OUTCOME_NL = {"adopted": "aangenomen", "rejected": "verworpen"}


def describe(ballot: ReplayedBallot, names: Mapping[str, str] | None = None) -> str:
    head = f"ballot {ballot.id} ({ballot.agenda}, {ballot.kind}{', proefstemming' if ballot.test else ''})"
    lines = [head, f"  {ballot.title}"]
    if ballot.revote_of is not None:
        lines.append(f"  herstemming van ballot {ballot.revote_of}")
    result = ballot.result()
    if ballot.hand_count is not None:
        if ballot.hand_count["for"] is None:
            lines.append("  met de hand geteld, alleen de uitslag")
        else:
            h = ballot.hand_count
            lines.append(
                f"  met de hand geteld: voor {h['for']}, tegen {h['against']}, onthouding {h['abstain']}, "
                f"uitgebracht {h['cast']}"
            )
        lines.append(f"  bevestigd door {ballot.confirmed_by}")
    elif ballot.decision is not None and result is not None:
        d = ballot.decision
        percent = format_percent(d.percent_for, "nl") if d.percent_for else "-"
        lines.append(
            f"  voor {d.for_}, tegen {d.against}, onthouding {d.abstain}, uitgebracht {d.cast}, "
            f"{d.members_voted} {'lid stemde' if d.members_voted == 1 else 'leden stemden'}; "
            f"{percent} voor: {OUTCOME_NL.get(d.outcome.value, d.outcome.value)}"
        )
    if ballot.outcome is None:
        lines.append(f"  {ballot.status}, not decided in this log")
    elif result is None and ballot.status != "voided":
        lines.append(f"  {ballot.minutes('nl', names)} (zonder stemming)")
    else:
        lines.append(f"  {ballot.minutes('nl', names)}")
    return "\n".join(lines)


def verify(
    text: str,
    *,
    record: dict[str, Any] | None = None,
    anchors: Sequence[str] = (),
    receipts: Sequence[str] = (),
    out: TextIO = sys.stdout,
) -> Report:
    report = Report()
    lines = parse_log(text, report)
    if not lines:
        report.problems.append("the log has no entries")
        return report
    for problem in check_chain(lines):
        report.problems.append(f"line {problem.line}: {problem.message}")
    state = replay(lines)
    report.problems.extend(problem.message for problem in state.problems)
    by_hash = {line.hash: line for line in lines}
    for anchor in anchors:
        wanted = anchor.replace(" ", "").lower()
        if len(wanted) != HASH_LENGTH:
            report.problems.append(
                f"the written-down hash {wanted[:16]} has {len(wanted)} characters; give all "
                f"{HASH_LENGTH} (the chair's screen shows them in blocks of eight)"
            )
        elif wanted not in state.hashes:
            report.problems.append(f"the written-down hash {wanted[:16]}… is not in this log")
        elif wanted in by_hash:
            report.notes.append(f"written-down hash {wanted[:16]}…: entry {by_hash[wanted].entry.get('seq')}")
    for receipt in receipts:
        wanted = receipt.replace(" ", "").lower()
        if len(wanted) < RECEIPT_MINIMUM:
            report.problems.append(f"receipt {wanted}: give at least {RECEIPT_MINIMUM} characters")
            continue
        found = [line for h, line in by_hash.items() if h.startswith(wanted)]
        if len(found) == 1:
            entry = found[0].entry
            report.notes.append(f"receipt {wanted}: entry {entry.get('seq')}, {json.dumps(entry['data'])}")
        else:
            report.problems.append(
                f"receipt {wanted}: {'no' if not found else 'more than one'} entry matches"
            )
    if record is not None:
        compare_record(state, record, report)
    meeting = state.meeting
    print(
        f"meeting {meeting.get('id', '?')}: {meeting.get('title', '?')} ({meeting.get('date', '?')}), "
        f"{len(lines)} entries, head {state.head[0] if state.head else '?'} "
        f"{state.head[1] if state.head else ''}",
        file=out,
    )
    names = {code: seat.name for code, seat in state.register.items()}
    for ballot in state.ballots.values():
        print(describe(ballot, names), file=out)
        if ballot.close_seq is not None:
            print(f"  decided in entry {ballot.close_seq}, hash {ballot.close_hash}", file=out)
        if ballot.stated is not None and ballot.decision is not None:
            same = ballot.stated == result_of(ballot.decision)
            print(f"  equals the server's result: {'yes' if same else 'NO'}", file=out)
    if record is not None:
        print("published record compared with the log", file=out)
    return report


def _record_url(audit_url: str) -> str | None:
    base = audit_url.partition("?")[0]
    return base[: -len("/audit")] + "/record.json" if base.endswith("/audit") else None


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(
        prog="votehall verify",
        description="Check a meeting's event log: the hash chain, every result replayed with the rules, "
        "and the published record.",
    )
    parser.add_argument(
        "log", help="an exported log file, - for standard input, or the URL of the audit route"
    )
    parser.add_argument("--record", help="record.json of the meeting (file or URL) to compare with the log")
    parser.add_argument(
        "--head", action="append", default=[], metavar="HASH", help="a hash written down at a close"
    )
    parser.add_argument(
        "--receipt", action="append", default=[], metavar="HEX", help="find a kiosk's receipt"
    )
    parser.add_argument("--token", help="an operator token, to read a log that is not published yet")
    args = parser.parse_args(argv)
    try:
        text = read_source(args.log, args.token)
        record_source = args.record or (_record_url(args.log) if _is_url(args.log) else None)
        record: dict[str, Any] | None = None
        if record_source is not None:
            try:
                record = json.loads(read_source(record_source, args.token))
            except ReadError as error:
                if args.record:
                    raise
                print(f"note: no published record to compare ({error})", file=err)
            except ValueError as error:
                raise ReadError(f"{record_source} is not JSON: {error}") from None
    except ReadError as error:
        print(f"error: {error}", file=err)
        return 2
    report = verify(text, record=record, anchors=args.head, receipts=args.receipt, out=out)
    for note in report.notes:
        print(note, file=out)
    if report.problems:
        print(f"FAILED: {len(report.problems)} problem(s)", file=out)
        for problem in report.problems:
            print(f"  - {problem}", file=out)
        return 1
    print("OK: the chain is intact and every result follows from the votes", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

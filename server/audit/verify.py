"""`votehall verify`: the vote-counting committee's independent check of a meeting's log.

    votehall verify LOG [--record RECORD] [--head HASH ...] [--token TOKEN] [--receipt HEX ...]
                        [--secret VH1:… ...] [--committee-key FILE|FINGERPRINT] [--lang nl|en]

LOG is an exported log (a file with one JSON object a line, `-` for standard input) or the URL
of the audit route (`https://host/api/meetings/7/audit`). The check:

0. the form: every line must be exactly the bytes the server writes for its entry (canonical
   form, docs/AUDIT.md), so that no two JSON parsers can read one line two ways (a key twice,
   another key order, other spacing or escaping is refused, naming the line);
1. the chain: every entry's hash, its link to the one before, sequence numbers without gaps
   (any altered, missing, inserted or reordered entry is named), and a warning when the log ends
   before the meeting's close (or, for a published meeting, before its publication);
2. the replay: the meeting replayed with the pure rules of SPEC 2 (`server.audit.replay`),
   every result recomputed from the votes and compared with the result the log states;
3. the published record (`--record`, a file or URL of `record.json`; fetched by itself next to
   an audit URL once the meeting is published): every ballot's figures and every member's
   choice compared with the replay;
4. anchors (`--head`): hashes the committee wrote down at a close must be in the chain, which
   catches a log whose whole chain was recomputed after a change.

Secret ballots and elections are replayed to docs/SECRET_BALLOTS.md (`replay_secret`,
`replay_elections`); `--secret` checks a member's own secret vote and `--committee-key` that the
log's committee key is the committee's (`own_vote`).

Receipts (`--receipt`) are taken as the handheld shows them ("3fa9c1d2e0…"); the command says
which vote entry a receipt is, or that the prefix is ambiguous, and whether that vote was later
replaced (by which entry). It prints per ballot the weighted totals, the percentage and the
outcome, in one language per run (Dutch, or English with `--lang en`), and exits 0 when all
agree, 1 when anything does not (each problem names its entry), 2 when the log can't be read.
This module imports only the standard library, the log's format and the pure rules: never the
server's database code (`tests/audit/test_verify.py` checks that).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from server.audit import entries as E
from server.audit.chain import LineError, LogLine, check_chain, parse_canonical_line
from server.audit.own_vote import check_committee_key, check_own_secret
from server.audit.replay import Replay, ReplayedBallot, replay, result_of
from server.audit.replay_secret import secret_line
from server.audit.wording import LANGUAGES, Said, say
from server.record.content import ABSENT, NOT_VOTED, VOTED
from server.rules import format_percent

MAX_DOWNLOAD = 512 * 1024 * 1024


class ReadError(Exception):
    """The log or the record could not be read at all."""

    def __init__(self, said: Said) -> None:
        super().__init__(said.text("en"))
        self.said = said


@dataclass(slots=True)
class Report:
    problems: list[Said] = field(default_factory=list)
    warnings: list[Said] = field(default_factory=list)
    notes: list[Said] = field(default_factory=list)


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
        raise ReadError(
            say("{url} answered {status_code}: {detail}", url=url, status_code=error.code, detail=detail)
        ) from None
    except UnicodeDecodeError as error:
        raise ReadError(say("{source} is not UTF-8 text: {error}", source=url, error=str(error))) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ReadError(say("could not fetch {url}: {error}", url=url, error=str(error))) from None


def read_source(source: str, token: str | None, stdin: TextIO = sys.stdin) -> str:
    if source == "-":
        # The bytes as they are: text mode would turn "\r\n" into "\n" unseen.
        raw = getattr(stdin, "buffer", None)
        if raw is None:
            return stdin.read()
        try:
            return str(raw.read().decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ReadError(say("could not read {source}: {error}", source="-", error=_why(error))) from None
    if _is_url(source):
        return _fetch(source, token)
    try:
        with open(source, encoding="utf-8", newline="") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ReadError(say("could not read {source}: {error}", source=source, error=_why(error))) from None


def _why(error: OSError | UnicodeDecodeError) -> Said | str:
    """The usual reasons in the run's language; the system's own words for the rest."""
    if isinstance(error, FileNotFoundError):
        return say("there is no such file")
    if isinstance(error, PermissionError):
        return say("no permission to read it")
    if isinstance(error, IsADirectoryError):
        return say("it is a folder")
    if isinstance(error, UnicodeDecodeError):
        return say("it is not UTF-8 text (byte {position})", position=error.start + 1)
    return str(error)


def split_lines(text: str) -> list[tuple[int, str]]:
    """The lines of an export with their numbers: split at "\n" only, the one line break the
    server writes (a text may hold U+2028 or a lone "\r", which other splitters break at)."""
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()  # the newline that ends the last line
    return list(enumerate(parts, start=1))


def parse_log(text: str, report: Report) -> tuple[list[LogLine], list[int]]:
    """The entries and the line number of each. A line that is not in canonical form is a
    problem; it still takes part in the chain check when it parses to one object at all (so that
    a reformatted log gets one problem a line, not a broken chain besides), never when a key
    appears twice (two parsers could read it two ways)."""
    lines: list[LogLine] = []
    numbers: list[int] = []
    for number, raw in split_lines(text):
        try:
            lines.append(parse_canonical_line(raw))
        except LineError as error:
            usable = error.line
            if usable is None:
                report.problems.append(
                    say(
                        "line {line} is not a log entry ({error}); it was left out",
                        line=number,
                        error=error.said,
                    )
                )
                continue
            report.problems.append(
                say("line {line} is not in canonical form ({error})", line=number, error=error.said)
            )
            lines.append(usable)
        numbers.append(number)
    return lines, numbers


def compare_record(state: Replay, record: dict[str, Any], report: Report) -> None:
    """The published record against the replay: figures per ballot, choice per member."""
    electronic = {
        b.id: b
        for b in state.ballots.values()
        if not b.test
        and (b.decision is not None or b.secret)  # a secret election's record says only who voted
        and b.status == "closed"
        and b.hand_count is None
    }
    decided = {b.id: b for b in state.ballots.values() if not b.test and b.outcome is not None}
    published = {int(b["id"]): b for b in record.get("ballots", [])}
    problems = report.problems
    # Records published before issue 15 have no attendance: there a member without a vote is null.
    attendance = "attendance" in record
    if attendance:
        _compare_attendance(state, record, decided, published, problems)
    for ballot_id in sorted(decided.keys() - published.keys()):
        problems.append(
            say("ballot {ballot} was decided in the log but is missing from the record", ballot=ballot_id)
        )
    for ballot_id, row in sorted(published.items()):
        ballot = decided.get(ballot_id)
        if ballot is None:
            problems.append(
                say("the record lists ballot {ballot}, which the log did not decide", ballot=ballot_id)
            )
            continue
        expected: dict[str, Any] = ballot.result() or {"outcome": ballot.outcome}
        for name, value in expected.items():
            if row.get(name) != value:
                problems.append(
                    say(
                        "ballot {ballot}: the record says {name} {stated!r}, the log gives {value!r}",
                        ballot=ballot_id,
                        name=name,
                        stated=row.get(name),
                        value=value,
                    )
                )
    for member in record.get("members", []):
        code = member.get("code")
        seat = state.register.get(code)
        if seat is None:
            problems.append(
                say("the record lists member {code!r}, who is not in the frozen register", code=code)
            )
            continue
        if member.get("weight") != seat.weight:
            problems.append(
                say(
                    "member {code}: the record says weight {stated!r}, the log {value}",
                    code=code,
                    stated=member.get("weight"),
                    value=seat.weight,
                )
            )
        votes = member.get("votes", {})
        if attendance and member.get("present") != (code in state.roles):
            problems.append(
                say(
                    "member {code}: the record says present {stated!r}, the log {value!r}",
                    code=code,
                    stated=member.get("present"),
                    value=code in state.roles,
                )
            )
        for ballot_id, ballot in electronic.items():
            logged = _member_vote(ballot, code)
            if logged is None and attendance:
                logged = NOT_VOTED if code in (ballot.present or ()) else ABSENT
            stated = votes.get(str(ballot_id))
            if stated != logged:
                problems.append(
                    say(
                        "member {code}, ballot {ballot}: the record says {stated!r}, the log gives {value!r}",
                        code=code,
                        ballot=ballot_id,
                        stated=stated,
                        value=logged,
                    )
                )
    listed = {m.get("code") for m in record.get("members", [])}
    for code in sorted(state.register.keys() - listed):
        problems.append(say("member {code} of the frozen register is missing from the record", code=code))


def _compare_attendance(
    state: Replay,
    record: Mapping[str, Any],
    decided: Mapping[int, ReplayedBallot],
    published: Mapping[int, Mapping[str, Any]],
    problems: list[Said],
) -> None:
    """Who was present, as the record states it, against the passes the log issued and ended:
    at the meeting (a pass at any time) and at each decision (an active pass at its entry)."""
    seats = state.register
    ever = [code for code in state.roles if code in seats]
    expected = {
        "members": len(ever),
        "weight": sum(seats[code].weight for code in ever),
        "of_members": len(seats),
        "of_weight": sum(seat.weight for seat in seats.values()),
    }
    if record.get("attendance") != expected:
        problems.append(
            say(
                "the record says attendance {stated!r}, the log gives {value!r}",
                stated=record.get("attendance"),
                value=expected,
            )
        )
    for ballot_id, row in sorted(published.items()):
        ballot = decided.get(ballot_id)
        if ballot is None or "present" not in row:
            continue
        present = sorted(code for code in ballot.present or () if code in seats)
        value = (
            {"members": len(present), "weight": sum(seats[code].weight for code in present)}
            if ballot.present is not None
            else None
        )
        if row["present"] != value:
            problems.append(
                say(
                    "ballot {ballot}: the record says present {stated!r}, the log gives {value!r}",
                    ballot=ballot_id,
                    stated=row["present"],
                    value=value,
                )
            )


def _member_vote(ballot: ReplayedBallot, code: str) -> str | None:
    """A member's vote on a ballot as the record gives it: the choice on a public ballot, on a
    secret one only that the member voted (its participation, SPEC 2.9), or None."""
    if ballot.secret:
        return VOTED if code in ballot.participants else None
    choice = ballot.choices.get(code)
    return choice.value if choice else None


HASH_LENGTH = 64  # hex characters of a SHA-256 hash
RECEIPT_MINIMUM = 8  # hex characters of a receipt that find one entry among millions
# What follows the characters on the handheld ("3fa9c1d2e0…", kiosk/kiosk.css), as typed.
_ELLIPSIS = re.compile(r"(?:…|\.{2,})+$")
_HEX = re.compile(r"[0-9a-f]+")


def describe(ballot: ReplayedBallot, lang: str, names: Mapping[str, str] | None = None) -> str:
    head = (
        "ballot {ballot} ({agenda}, {kind}, test ballot)"
        if ballot.test
        else "ballot {ballot} ({agenda}, {kind})"
    )
    lines = [
        say(head, ballot=ballot.id, agenda=ballot.agenda, kind=ballot.kind).text(lang),
        f"  {ballot.title}",
    ]
    if ballot.revote_of is not None:
        lines.append(say("  re-vote of ballot {redone}", redone=ballot.revote_of).text(lang))
    result = ballot.result()
    if ballot.hand_count is not None:
        h = ballot.hand_count
        if ballot.election is not None:
            lines.append(_election_line(ballot).text(lang))
            lines.append(say("  counted by hand, per candidate").text(lang))
        elif h["for"] is None:
            lines.append(say("  counted by hand, the outcome only").text(lang))
        else:
            lines.append(
                say(
                    "  counted by hand: for {for_}, against {against}, abstain {abstain}, cast {cast}",
                    for_=h["for"],
                    against=h["against"],
                    abstain=h["abstain"],
                    cast=h["cast"],
                ).text(lang)
            )
        lines.append(say("  confirmed by {who}", who=ballot.confirmed_by).text(lang))
    elif ballot.election is not None:
        lines.append(_election_line(ballot).text(lang))
    elif ballot.decision is not None and result is not None:
        d = ballot.decision
        voted = (
            say("1 member voted")
            if d.members_voted == 1
            else say("{count} members voted", count=d.members_voted)
        )
        lines.append(
            say(
                "  for {for_}, against {against}, abstain {abstain}, cast {cast}, {voted}; {percent} for: {outcome}",
                for_=d.for_,
                against=d.against,
                abstain=d.abstain,
                cast=d.cast,
                voted=voted,
                percent=format_percent(d.percent_for, lang) if d.percent_for else "-",
                outcome=say(d.outcome.value)
                if d.outcome.value in ("adopted", "rejected")
                else d.outcome.value,
            ).text(lang)
        )
    secret = secret_line(ballot)
    if secret is not None:
        lines.append(secret.text(lang))
    if ballot.outcome is None:
        lines.append(say("  {status}, not decided in this log", status=ballot.status).text(lang))
    elif result is None and ballot.status != "voided" and ballot.election is None:
        lines.append(say("  {minutes} (without a vote)", minutes=ballot.minutes(lang, names)).text(lang))
    else:
        lines.append(f"  {ballot.minutes(lang, names)}")
    return "\n".join(lines)


def _voted(count: int) -> Said:
    return say("1 member voted") if count == 1 else say("{count} members voted", count=count)


def _election_line(ballot: ReplayedBallot) -> Said:
    """The votes of an election round, per candidate by name (a single-candidate vote: for and against)."""
    r = ballot.election
    assert r is not None
    names = ballot.names
    if len(r.candidates) == 1:
        return say(
            "  {candidate}: for {for_}, against {against}, abstain {abstain}, cast {cast}, {voted}",
            candidate=names.get(r.candidates[0].id, r.candidates[0].id),
            for_=r.candidates[0].votes,
            against=r.against,
            abstain=r.abstain,
            cast=r.cast,
            voted=_voted(r.members_voted if not ballot.secret else len(ballot.participants)),
        )
    return say(
        "  {votes}; abstain {abstain}, cast {cast}, {voted}",
        votes=", ".join(f"{names.get(c.id, c.id)} {c.votes}" for c in r.candidates),
        abstain=r.abstain,
        cast=r.cast,
        voted=_voted(r.members_voted if not ballot.secret else len(ballot.participants)),
    )


def normalised_receipt(receipt: str) -> str:
    """A receipt as someone copies it from the handheld: spaces, capitals and the ellipsis the
    handheld shows after the characters ("3fa9c1d2e0…", or typed as "...") are left out."""
    return _ELLIPSIS.sub("", "".join(receipt.split())).lower()


def find_receipt(
    receipt: str, lines: Sequence[LogLine], numbers: Sequence[int], state: Replay, report: Report
) -> None:
    wanted = normalised_receipt(receipt)
    if not _HEX.fullmatch(wanted or "-"):
        report.problems.append(
            say(
                "receipt {receipt}: only the characters 0-9 and a-f, as the handheld shows them",
                receipt=receipt,
            )
        )
        return
    if len(wanted) < RECEIPT_MINIMUM:
        report.problems.append(
            say(
                "receipt {receipt}: give at least {minimum} characters",
                receipt=wanted,
                minimum=RECEIPT_MINIMUM,
            )
        )
        return
    found = [i for i, line in enumerate(lines) if line.hash.startswith(wanted)]
    if not found:
        report.problems.append(say("receipt {receipt}: no entry matches", receipt=wanted))
        return
    if len(found) > 1:
        # Never one of them picked: the committee asks the member for more characters.
        seqs = ", ".join(str(lines[i].seq) for i in found)
        report.problems.append(
            say(
                "receipt {receipt}: {count} entries match ({seqs}); give more characters",
                receipt=wanted,
                count=len(found),
                seqs=seqs,
            )
        )
        return
    index = found[0]
    entry = lines[index].entry
    data = entry.get("data")
    if entry.get("type") != E.VOTE or not isinstance(data, Mapping):
        report.problems.append(
            say(
                "receipt {receipt}: entry {seq} is a {kind} entry, not a vote",
                receipt=wanted,
                seq=entry.get("seq"),
                kind=entry.get("type"),
            )
        )
        return
    report.notes.append(
        say(
            "receipt {receipt}: entry {seq}, a vote of {member} on ballot {ballot}: {choice}",
            receipt=wanted,
            seq=entry.get("seq"),
            member=data.get("member"),
            ballot=data.get("ballot"),
            choice=data.get("choice"),
        )
    )
    later = [
        i
        for i in range(index + 1, len(lines))
        if lines[i].entry.get("type") == E.VOTE
        and isinstance(lines[i].entry.get("data"), Mapping)
        and (lines[i].entry["data"].get("ballot"), lines[i].entry["data"].get("member"))
        == (data.get("ballot"), data.get("member"))
    ]
    for i in later[:1] + later[1:][-1:]:
        replaced = "  this vote was later replaced by entry {seq} (line {line}): {choice}"
        if i != later[0]:
            replaced = "  the vote that counts is entry {seq} (line {line}): {choice}"
        report.notes.append(
            say(replaced, seq=lines[i].seq, line=numbers[i], choice=lines[i].entry["data"].get("choice"))
        )
    ballot = state.ballots.get(data.get("ballot"))  # type: ignore[arg-type]
    if ballot is not None and ballot.status == "voided":
        report.notes.append(say("  the ballot was voided: this vote counts nowhere"))
    elif ballot is not None and ballot.test:
        report.notes.append(say("  a test ballot: this vote counts nowhere"))
    elif not later:
        report.notes.append(say("  this vote counts: it is the member's last vote on the ballot"))


def check_ending(state: Replay, lines: Sequence[LogLine], published: bool, report: Report) -> None:
    """A log that ends before the meeting's close, or, when the meeting was published (the log
    came from the public route, or the record given says so), before the publication entry, may
    be cut short: everything after the cut would be missing without a broken chain."""
    if not state.meeting:
        return  # not a meeting's chain (chain 0)
    last = lines[-1].seq
    if not state.closed:
        report.warnings.append(
            say(
                "the log ends at entry {seq}, before the meeting was closed: it may be cut short (a truncated "
                "log); the results below are only those up to that entry",
                seq=last,
            )
        )
    elif published and not state.published:
        report.warnings.append(
            say(
                "the meeting was published, but the log ends at entry {seq} without its publication entry "
                "(a truncated log?)",
                seq=last,
            )
        )


def verify(
    text: str,
    *,
    record: dict[str, Any] | None = None,
    anchors: Sequence[str] = (),
    receipts: Sequence[str] = (),
    secrets: Sequence[str] = (),
    committee_key: str | None = None,
    published: bool = False,
    lang: str = "nl",
    out: TextIO = sys.stdout,
) -> Report:
    report = Report()
    lines, numbers = parse_log(text, report)
    if not lines:
        report.problems.append(say("the log has no entries"))
        return report
    for problem in check_chain(lines):
        report.problems.append(
            say("line {line}: {message}", line=numbers[problem.line - 1], message=problem.said)
        )
    state = replay(lines)
    report.problems.extend(problem.said for problem in state.problems)
    check_ending(state, lines, published or bool(record and record.get("published_at")), report)
    by_hash = {line.hash: line for line in lines}
    for anchor in anchors:
        wanted = anchor.replace(" ", "").lower()
        if len(wanted) != HASH_LENGTH:
            report.problems.append(
                say(
                    "the written-down hash {hash} has {length} characters; give all {full} (the chair's screen "
                    "shows them in blocks of eight)",
                    hash=wanted[:16],
                    length=len(wanted),
                    full=HASH_LENGTH,
                )
            )
        elif wanted not in state.hashes:
            report.problems.append(say("the written-down hash {hash}… is not in this log", hash=wanted[:16]))
        elif wanted in by_hash:
            report.notes.append(
                say(
                    "written-down hash {hash}…: entry {seq}",
                    hash=wanted[:16],
                    seq=by_hash[wanted].entry.get("seq"),
                )
            )
    for receipt in receipts:
        find_receipt(receipt, lines, numbers, state, report)
    for secret in secrets:
        check_own_secret(secret, state, report.problems, report.notes)
    if committee_key is not None:
        check_committee_key(committee_key, state, report.problems, report.notes)
    if record is not None:
        compare_record(state, record, report)
    meeting = state.meeting
    print(
        say(
            "meeting {id}: {title} ({date}), {count} entries, head {seq} {hash}",
            id=meeting.get("id", "?"),
            title=meeting.get("title", "?"),
            date=meeting.get("date", "?"),
            count=len(lines),
            seq=state.head[0] if state.head else "?",
            hash=state.head[1] if state.head else "",
        ).text(lang),
        file=out,
    )
    names = {code: seat.name for code, seat in state.register.items()}
    for ballot in state.ballots.values():
        print(describe(ballot, lang, names), file=out)
        if ballot.close_seq is not None:
            print(
                say(
                    "  decided in entry {seq}, hash {hash}", seq=ballot.close_seq, hash=ballot.close_hash
                ).text(lang),
                file=out,
            )
        expected = result_of(ballot.decision) if ballot.decision is not None else ballot.election_data
        if ballot.stated is not None and expected is not None:
            same = (ballot.election_stated or ballot.stated) == expected
            verdict = "  equals the server's result: yes" if same else "  equals the server's result: NO"
            print(say(verdict).text(lang), file=out)
    if record is not None:
        print(say("published record compared with the log").text(lang), file=out)
    return report


def _record_url(audit_url: str) -> str | None:
    base = audit_url.partition("?")[0]
    return base[: -len("/audit")] + "/record.json" if base.endswith("/audit") else None


HELP = {
    "description": (
        "Check a meeting's event log: the hash chain, every result replayed with the rules, and the published record.",
        "Controleer het gebeurtenissenlog van een vergadering: de hashketen, elke uitslag opnieuw berekend met "
        "de regels, en het gepubliceerde stemverslag.",
    ),
    "log": (
        "an exported log file, - for standard input, or the URL of the audit route",
        "een geëxporteerd logbestand, - voor standaardinvoer, of de URL van de auditroute",
    ),
    "--record": (
        "record.json of the meeting (file or URL) to compare with the log",
        "record.json van de vergadering (bestand of URL) om met het log te vergelijken",
    ),
    "--head": ("a hash written down at a close", "een hash die bij een sluiting is opgeschreven"),
    "--receipt": (
        'a handheld\'s receipt, as it shows it ("3fa9c1d2e0…")',
        'een bewijs van stemming, zoals het stemkastje het toont ("3fa9c1d2e0…")',
    ),
    "--secret": (
        "a member's secret as the handheld shows it (VH1:<ballot>:<member code>:<secret>): find all units of that vote",
        "het geheim van een lid zoals het stemkastje het toont (VH1:<stemming>:<lidcode>:<geheim>): vind alle "
        "stemeenheden van die stem",
    ),
    "--committee-key": (
        "the committee's committee.pub or its fingerprint: the log's committee key must be that one",
        "committee.pub van de commissie of de vingerafdruk ervan: de commissiesleutel in het log moet die zijn",
    ),
    "--token": (
        "an operator token, to read a log that is not published yet",
        "een operatortoken, om een log te lezen dat nog niet is gepubliceerd",
    ),
    "--lang": (
        "the language of the output: nl (default) or en",
        "de taal van de uitvoer: nl (standaard) of en",
    ),
    "--help": ("show this help and exit", "toon deze hulp en stop"),
    "usage": ("usage: ", "gebruik: "),
    "options": ("options", "opties"),
    "positionals": ("positional arguments", "argumenten"),
}


def _language_of(argv: Sequence[str]) -> str:
    """The language asked for, read before argparse so that its help is in it too."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1] if argv[index + 1] in LANGUAGES else "nl"
        if arg.startswith("--lang="):
            return arg.partition("=")[2] if arg.partition("=")[2] in LANGUAGES else "nl"
    return "nl"


def _parser(lang: str) -> argparse.ArgumentParser:
    def h(key: str) -> str:
        return HELP[key][0 if lang == "en" else 1]

    class Formatter(argparse.HelpFormatter):
        def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            super().add_usage(usage, actions, groups, h("usage") if prefix is None else prefix)

    parser = argparse.ArgumentParser(
        prog="votehall verify", description=h("description"), formatter_class=Formatter, add_help=False
    )
    parser._optionals.title = h("options")
    parser._positionals.title = h("positionals")
    parser.add_argument("-h", "--help", action="help", help=h("--help"))
    parser.add_argument("log", help=h("log"))
    parser.add_argument("--record", help=h("--record"))
    parser.add_argument("--head", action="append", default=[], metavar="HASH", help=h("--head"))
    parser.add_argument("--receipt", action="append", default=[], metavar="HEX", help=h("--receipt"))
    parser.add_argument("--secret", action="append", default=[], metavar="VH1:…", help=h("--secret"))
    parser.add_argument("--committee-key", metavar="FILE|FINGERPRINT", help=h("--committee-key"))
    parser.add_argument("--token", help=h("--token"))
    parser.add_argument("--lang", choices=LANGUAGES, default="nl", help=h("--lang"))
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser(_language_of(argv)).parse_args(argv)
    lang: str = args.lang
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
                print(
                    say("note: no published record to compare ({error})", error=error.said).text(lang),
                    file=err,
                )
            except ValueError as error:
                raise ReadError(
                    say("{source} is not JSON: {error}", source=record_source, error=str(error))
                ) from None
    except ReadError as error:
        print(say("error: {message}", message=error.said).text(lang), file=err)
        return 2
    # Read from the audit route without a token, the log is public: the meeting was published.
    published = _is_url(args.log) and not args.token
    report = verify(
        text,
        record=record,
        anchors=args.head,
        receipts=args.receipt,
        secrets=args.secret,
        committee_key=args.committee_key,
        published=published,
        lang=lang,
        out=out,
    )
    for note in report.notes:
        print(note.text(lang), file=out)
    for warning in report.warnings:
        print(say("warning: {message}", message=warning).text(lang), file=out)
    if report.problems:
        print(say("FAILED: {count} problem(s)", count=len(report.problems)).text(lang), file=out)
        for problem in report.problems:
            print(f"  - {problem.text(lang)}", file=out)
        return 1
    print(say("OK: the chain is intact and every result follows from the votes").text(lang), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

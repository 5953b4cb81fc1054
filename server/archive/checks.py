"""Reading a meeting document's log, and checking that its tables say what the log says. Pure:
no I/O, no database.

The log is protected by its hash chain (`server.audit.chain`); the tables beside it in the
document are not. Before an import stores them, the log is replayed with the pure rules
(`server.audit.replay`) and every fact it records is compared with them: the meeting and its
frozen register, the agenda, every ballot's settings, status and result with the entry that
decided it, every current vote with the replayed votes, every vote event with its `vote` entry
(the receipt is that entry's hash) and every pass with its entries. A table edited by hand is
refused, so that the archived meeting replays and verifies as the original did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.archive.schemas import BallotDoc, MeetingDocument
from server.audit import entries as E
from server.audit.chain import LogLine, canonical, check_chain
from server.audit.replay import Replay, replay
from server.rules import Choice, VoteChoice, vote_choice

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_TYPE = 40  # LogEntry.type


@dataclass(frozen=True, slots=True)
class Finding:
    where: str  # a place in the document: "log[12]", "ballots[id=7]", "register"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


def read_log(raw: Sequence[Mapping[str, Any]]) -> tuple[list[LogLine], list[Finding]]:
    """The document's log as chain lines (the fields of `server.audit.chain.parse_line`), and
    what keeps a line from being stored as an entry at all."""
    lines: list[LogLine] = []
    findings: list[Finding] = []
    for index, item in enumerate(raw):
        entry = dict(item)
        prev_hash, digest = entry.pop("prev_hash", None), entry.pop("hash", None)
        problem = _unstorable(entry, prev_hash, digest)
        if problem:
            findings.append(Finding(f"log[{index}]", problem))
            continue
        assert isinstance(prev_hash, str) and isinstance(digest, str)
        lines.append(LogLine(entry=entry, prev_hash=prev_hash, hash=digest))
    return lines, findings


def _unstorable(entry: Mapping[str, Any], prev_hash: Any, digest: Any) -> str | None:
    if not all(isinstance(h, str) and _HEX64.match(h) for h in (prev_hash, digest)):
        return "needs prev_hash and hash, each 64 lowercase hex characters"
    if set(entry) != {"seq", "at", "type", "data"}:
        return f"has the fields {sorted(entry)}; an entry has seq, at, type and data"
    if not isinstance(entry["seq"], int) or isinstance(entry["seq"], bool):
        return "has a seq that is not a whole number"
    if not isinstance(entry["type"], str) or not 0 < len(entry["type"]) <= MAX_TYPE:
        return "has no type"
    if not isinstance(entry["data"], dict):
        return "has data that is not an object"
    if entry_time(entry) is None:
        return "has an 'at' that is not an ISO 8601 time with a zone"
    try:
        canonical(entry)
    except UnicodeEncodeError:
        # JSON's "\ud800" escape makes a lone surrogate, which has no UTF-8 bytes to hash.
        return "has text that is not valid Unicode (a lone surrogate), so it cannot be hashed"
    return None


def entry_time(entry: Mapping[str, Any]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(entry["at"]))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def chain_findings(lines: Iterable[LogLine]) -> list[Finding]:
    """Every break of the hash chain (`check_chain`), placed in the document's log."""
    return [Finding(f"log[{p.line - 1}]", p.message) for p in check_chain(lines)]


def inconsistencies(document: MeetingDocument, lines: Sequence[LogLine]) -> list[Finding]:
    """Every difference between the document's tables and its (unbroken) log."""
    if not lines or lines[0].entry["type"] != E.MEETING_CREATED:
        return [Finding("log", "the log does not begin with meeting_created, as every meeting's log does")]
    state = replay(lines)
    if state.problems:
        # The comparisons below trust the log's shape, which the replay has just doubted.
        return [Finding(f"log (entry {p.seq})", p.message) for p in state.problems]
    try:
        return [
            *_meeting(document, state),
            *_register(document, state),
            *_agenda(document, lines),
            *_ballots(document, state, lines),
            *_votes(document, state, lines),
            *_units(document, lines),
            *_passes(document, state, lines),
        ]
    except (KeyError, TypeError, ValueError) as error:
        return [Finding("log", f"an entry lacks what its type needs: {type(error).__name__}: {error}")]


def _differs(where: str, what: str, document: Any, log: Any) -> Finding:
    return Finding(where, f"the document says {what} {document!r}, the log {log!r}")


def _meeting(document: MeetingDocument, state: Replay) -> list[Finding]:
    found: list[Finding] = []
    meeting, created = document.meeting, state.meeting
    if created.get("id") != document.original_id:
        found.append(_differs("original_id", "meeting", document.original_id, created.get("id")))
    stated = {"title": meeting.title, "date": meeting.date.isoformat(), "place": meeting.place}
    for name, value in stated.items():
        if created.get(name) != value:
            found.append(_differs(f"meeting.{name}", name, value, created.get(name)))
    rule = meeting.weight_rule
    if state.rule is not None and (rule.inhabitants_per_vote, rule.min_votes, rule.max_votes) != (
        state.rule.inhabitants_per_vote,
        state.rule.min_votes,
        state.rule.max_votes,
    ):
        found.append(_differs("meeting.weight_rule", "the weight rule", rule.model_dump(), state.rule))
    status = "closed" if state.closed else "open" if state.register else "draft"
    if meeting.status != status:
        found.append(_differs("meeting.status", "status", meeting.status, status))
    logged = state.settings  # the record's settings as the log gave them (issue 15)
    settings: dict[str, tuple[object, object]] = {
        "population_date": (meeting.population_date.isoformat() if meeting.population_date else None, None),
        "chair_name": (meeting.chair_name, None),
        "committee_members": (meeting.committee_members or None, None),
        "publish_representatives": (meeting.publish_representatives, False),
    }
    for name, (stated_value, default) in settings.items():
        if logged.get(name, default) != stated_value:
            found.append(_differs(f"meeting.{name}", name, stated_value, logged.get(name, default)))
    if "published_at" in meeting.model_fields_set and (meeting.published_at is not None) != state.published:
        said = "published" if meeting.published_at else "not published"
        found.append(Finding("meeting.published_at", f"the document says {said}, the log the opposite"))
    return found


def _register(document: MeetingDocument, state: Replay) -> list[Finding]:
    frozen = {s.code: (s.name, s.population, s.weight) for s in document.frozen_register}
    logged = {code: (s.name, s.population, s.weight) for code, s in state.register.items()}
    if len(frozen) != len(document.frozen_register):
        return [Finding("register", "lists a member twice")]
    return [
        _differs("register", f"{code} has (name, population, weight)", frozen.get(code), logged.get(code))
        for code in sorted(frozen.keys() | logged.keys())
        if frozen.get(code) != logged.get(code)
    ]


def _agenda(document: MeetingDocument, lines: Sequence[LogLine]) -> list[Finding]:
    items = sorted(document.agenda, key=lambda item: item.position)
    stated = [(i.number, i.title, i.decision, i.kind.value if i.kind else None) for i in items]
    logged = [
        (item["number"], item["title"], item["decision"], item["kind"])
        for line in _of_type(lines, E.AGENDA_ITEMS_ADDED)
        for item in line.entry["data"]["items"]
    ]
    return [] if stated == logged else [_differs("agenda", "the agenda", stated, logged)]


_SETTINGS = ("agenda", "title", "kind", "majority", "abstain_is_cast", "allow_change", "test",
             "show_live_tally", "amends", "submitters", "preadvies", "off_agenda", "secret", "candidates",
             "round_of", "round")  # fmt: skip
_RESULT = {"for": "for_weight", "against": "against_weight", "abstain": "abstain_weight",
           "cast": "cast_weight", "members_voted": "members_voted", "percent_for": "percent_for",
           "outcome": "outcome"}  # fmt: skip


def _ballots(document: MeetingDocument, state: Replay, lines: Sequence[LogLine]) -> list[Finding]:
    # Each ballot's settings as last created or edited, without those the log deletes.
    created = {ballot_id: ballot.settings for ballot_id, ballot in state.ballots.items()}
    found: list[Finding] = []
    ids = [b.id for b in document.ballots]
    if len(set(ids)) != len(ids):
        found.append(Finding("ballots", "lists a ballot twice"))
    missing = sorted(created.keys() - set(ids))
    if missing:
        found.append(Finding("ballots", f"misses the ballots {missing} that the log creates"))
    for ballot in document.ballots:
        where = f"ballots[id={ballot.id}]"
        if ballot.amends is not None and ballot.amends not in ids:
            found.append(Finding(where, f"amends ballot {ballot.amends}, which is not in the document"))
        if ballot.revote_of is not None and ballot.revote_of not in ids:
            found.append(
                Finding(where, f"votes again on ballot {ballot.revote_of}, which is not in the document")
            )
        if ballot.round_of is not None and ballot.round_of not in ids:
            found.append(Finding(where, f"follows ballot {ballot.round_of}, which is not in the document"))
        if ballot.id not in created:
            found.append(Finding(where, "is a ballot the log never creates"))
            continue
        found += _ballot(where, ballot, created[ballot.id], state)
    return found


def _ballot(where: str, ballot: BallotDoc, created: Mapping[str, Any], state: Replay) -> list[Finding]:
    found: list[Finding] = []
    settings = ballot.model_dump(mode="json")
    for name in _SETTINGS:
        if settings[name] != created.get(name):
            found.append(_differs(where, name, settings[name], created.get(name)))
    replayed = state.ballots[ballot.id]
    if ballot.status.value != replayed.status:
        found.append(_differs(where, "status", ballot.status.value, replayed.status))
    result = replayed.result()
    if result is not None:
        for name, value in result.items():
            if settings[_RESULT[name]] != value:
                found.append(_differs(where, _RESULT[name], settings[_RESULT[name]], value))
    elif ballot.outcome != replayed.outcome:
        found.append(_differs(where, "outcome", ballot.outcome, replayed.outcome))
    corrections = {
        "revote_of": replayed.revote_of,
        "void_reason": replayed.void_reason,
        "counted_by_hand": replayed.hand_count is not None,
        "confirmed_by": replayed.confirmed_by,
        "dissent": replayed.dissent,
    }
    for name, value in corrections.items():
        if settings[name] != value:
            found.append(_differs(where, name, settings[name], value))
    if (ballot.close_seq, ballot.close_hash) != (replayed.close_seq, replayed.close_hash):
        found.append(_differs(where, "close_seq and close_hash", (ballot.close_seq, ballot.close_hash),
                              (replayed.close_seq, replayed.close_hash)))  # fmt: skip
    return found


def _value(choice: VoteChoice | str) -> str | int:
    """A document's choice as the log says it; "sealed" (a secret ballot's vote) as it is."""
    return choice if isinstance(choice, str) and not isinstance(choice, Choice) else vote_choice.value(choice)


def _votes(document: MeetingDocument, state: Replay, lines: Sequence[LogLine]) -> list[Finding]:
    found: list[Finding] = []
    current = {(v.ballot, v.member): _value(v.choice) for v in document.votes}
    if len(current) != len(document.votes):
        found.append(Finding("votes", "lists two current votes of one member on one ballot"))
    # A yes/no ballot's votes are `choices`, an election's `picks` (a candidate's id or "abstain").
    replayed: dict[tuple[int, str], str | int] = {
        (ballot.id, member): vote_choice.value(choice)
        for ballot in state.ballots.values()
        for member, choice in ballot.choices.items()
    }
    replayed |= {
        (ballot.id, member): pick
        for ballot in state.ballots.values()
        for member, pick in ballot.picks.items()
    }
    # A secret ballot's current votes are its participations (docs/SECRET_BALLOTS.md).
    replayed |= {
        (ballot.id, member): "sealed" for ballot in state.ballots.values() for member in ballot.participants
    }
    for key in sorted(current.keys() | replayed.keys()):
        if current.get(key) != replayed.get(key):
            where = f"votes[ballot={key[0]}, member={key[1]}]"
            found.append(_differs(where, "the current vote", current.get(key), replayed.get(key)))
    passes = {p.id: p.member for p in document.passes}
    for v in document.votes:
        if v.pass_id is not None and passes.get(v.pass_id) != v.member:
            where = f"votes[ballot={v.ballot}, member={v.member}]"
            found.append(Finding(where, f"names pass {v.pass_id}, which is not a pass of {v.member}"))
    events = {
        (e.member, e.vote_id): (e.ballot, _value(e.choice), e.pass_id, e.receipt)
        for e in document.vote_events
    }
    if len(events) != len(document.vote_events):
        found.append(Finding("vote_events", "lists a vote_id of one member twice"))
    logged = {
        (d["member"], d["vote_id"]): (d["ballot"], d.get("choice", "sealed"), d["pass"], line.hash)
        for line in [*_of_type(lines, E.VOTE), *_of_type(lines, E.PARTICIPATION)]
        for d in [line.entry["data"]]
    }
    for member, vote_id in sorted(events.keys() | logged.keys()):
        stated, written = events.get((member, vote_id)), logged.get((member, vote_id))
        if stated != written:
            where = f"vote_events[member={member}, vote_id={vote_id}]"
            found.append(_differs(where, "(ballot, choice, pass, receipt)", stated, written))
    return found


# docs/SECRET_BALLOTS.md: a closed secret ballot's units are logged as `ballot_units` entries
# {ballot, part, units: [[receipt, choice], ...]}.
BALLOT_UNITS = "ballot_units"


def _units(document: MeetingDocument, lines: Sequence[LogLine]) -> list[Finding]:
    """The unit ballots of the document are those the log lists, no more, no fewer."""
    stated = sorted((u.ballot, u.receipt, u.choice) for u in document.unit_ballots)
    logged = sorted(
        (int(line.entry["data"]["ballot"]), str(receipt), str(choice))
        for line in _of_type(lines, BALLOT_UNITS)
        for receipt, choice in line.entry["data"]["units"]
    )
    if stated == logged:
        return []
    return [
        Finding(
            "unit_ballots",
            f"the document lists {len(stated)} unit ballots that differ from the log's {len(logged)}",
        )
    ]


def _passes(document: MeetingDocument, state: Replay, lines: Sequence[LogLine]) -> list[Finding]:
    roles = {
        int(line.entry["data"]["pass"]): line.entry["data"]["role"] for line in _of_type(lines, E.PASS_ISSUED)
    }
    stated = {p.id: (p.member, p.status, p.representative_role.value) for p in document.passes}
    if len(stated) != len(document.passes):
        return [Finding("passes", "lists a pass twice")]
    logged = {
        pass_id: (member, status, roles.get(pass_id)) for pass_id, (member, status) in state.passes.items()
    }
    return [
        _differs(f"passes[id={pass_id}]", "(member, status, role)", stated.get(pass_id), logged.get(pass_id))
        for pass_id in sorted(stated.keys() | logged.keys())
        if stated.get(pass_id) != logged.get(pass_id)
    ]


def _of_type(lines: Iterable[LogLine], type_: str) -> Iterable[LogLine]:
    return (line for line in lines if line.entry["type"] == type_)

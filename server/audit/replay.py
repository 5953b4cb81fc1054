"""Replaying a meeting's log with the pure rules: every result recomputed from the log alone.

Pure: no I/O, no database; imports only `server.rules` and the log's own modules, so that the
committee's check (`votehall verify`) does not trust the server's code paths, only the rules of
SPEC 2. The replay follows the entries of `server.audit.entries` in order and checks that each
one is allowed where it stands: weights follow from the frozen populations, a vote needs an open
ballot and an active pass of its member, a ballot without changes takes one vote per member, and
every closed ballot's stated result equals the tally of its votes. Secret ballots
(`replay_secret`: participations, unit ballots, keys) and elections (`replay_elections`: rounds
and lots) are checked to docs/SECRET_BALLOTS.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.audit import entries as E
from server.audit import replay_elections, replay_secret
from server.audit.chain import LogLine
from server.audit.wording import Joined, Number, Said, say
from server.rules import (
    Choice,
    Decision,
    ElectionChoice,
    ElectionResult,
    Majority,
    NextRound,
    Tally,
    WeightRule,
    decide,
    election_sentence,
    minutes_sentence,
    tally_votes,
    weight_for,
)
from server.rules.decision import Outcome


@dataclass(frozen=True, slots=True)
class Problem:
    seq: Any
    said: Said  # "entry {seq}: ..."

    @property
    def message(self) -> str:
        return self.said.text("en")


@dataclass(slots=True)
class ReplayedBallot:
    id: int
    agenda: str
    title: str
    kind: str
    majority: str
    abstain_is_cast: bool
    allow_change: bool
    test: bool
    settings: dict[str, Any] = field(default_factory=dict)  # as last created or edited
    status: str = "draft"
    choices: dict[str, Choice] = field(default_factory=dict)
    decision: Decision | None = None  # recomputed at its close
    stated: dict[str, Any] | None = None  # the result the server wrote in the close entry
    hand_count: dict[str, Any] | None = None  # a result counted by hand, as recomputed
    confirmed_by: str | None = None
    void_reason: str | None = None
    dissent: list[str] = field(default_factory=list)
    revote_of: int | None = None
    opened_seq: int | None = None
    close_seq: int | None = None
    close_hash: str | None = None
    # Elections (SPEC 2.10): the public votes, the round's plan, its result (after any lot).
    picks: dict[str, ElectionChoice] = field(default_factory=dict)
    plan: NextRound | None = None
    election: ElectionResult | None = None
    election_stated: dict[str, Any] | None = None
    election_data: dict[str, Any] | None = None  # the result as the votes give it, in the log's shape
    names: Mapping[int, str] = field(default_factory=dict)  # every candidate's name by id
    # Secret ballots (SPEC 2.9): who took part (weight by member, each once) and the unit ballots.
    sealing_key: str | None = None
    participants: dict[str, int] = field(default_factory=dict)
    units: list[tuple[str, str | int]] = field(default_factory=list)  # the well-formed ones
    unit_count: int = 0
    unit_parts: int = 0
    released: bool = False
    # The members with an active pass when it was decided (at its `close_seq`): attendance at
    # the vote, and who of those that did not vote was present (issue 15).
    present: frozenset[str] | None = None

    @property
    def secret(self) -> bool:
        return bool(self.settings.get("secret", False))

    @property
    def candidate_ids(self) -> tuple[int, ...]:
        return tuple(int(c["id"]) for c in self.settings.get("candidates") or [])

    @property
    def outcome(self) -> str | None:
        if self.status in _STATUS_OUTCOMES:
            return self.status
        if self.hand_count is not None:
            return str(self.hand_count["outcome"])
        if self.election is not None:
            return self.election.outcome.value
        if self.decision is not None:
            return self.decision.outcome.value
        return None

    def result(self) -> dict[str, Any] | None:
        """The figures of the ballot's result in the words of the log and the record: the vote's
        (also after it was voided, with the outcome "voided"), or the count by hand."""
        if self.hand_count is not None:
            return dict(self.hand_count)
        if self.decision is not None:
            return {**result_of(self.decision), "outcome": self.outcome}
        return None

    def minutes(self, lang: str = "nl", names: Mapping[str, str] | None = None) -> str | None:
        outcome = self.outcome
        if outcome is None:
            return None
        if self.election is not None and self.status == "closed":
            return election_sentence(self.election, self.names, lang, by_hand=self.hand_count is not None)
        result = self.result()
        return minutes_sentence(
            Outcome(outcome),
            result["percent_for"] if result else None,
            lang,
            by_hand=self.hand_count is not None,
            reason=self.void_reason,
            dissent=[(names or {}).get(code, code) for code in self.dissent],
        )


# The fields of a result, as `ballot_closed` and `ballot_counted_by_hand` state it.
RESULT_FIELDS = ("for", "against", "abstain", "cast", "members_voted", "percent_for", "outcome")
# Statuses whose name is the outcome (SPEC 2.7, 2.8, 2.11).
_STATUS_OUTCOMES = frozenset({*E.DECIDED_WITHOUT_VOTE.values(), "voided", "not_decided"})


@dataclass(slots=True)
class Seat:
    name: str
    population: int
    weight: int


@dataclass(slots=True)
class Replay:
    meeting: dict[str, Any] = field(default_factory=dict)
    rule: WeightRule | None = None
    register: dict[str, Seat] = field(default_factory=dict)
    ballots: dict[int, ReplayedBallot] = field(default_factory=dict)
    passes: dict[int, tuple[str, str]] = field(default_factory=dict)  # pass -> (member, status)
    active: dict[str, int] = field(default_factory=dict)  # member -> its active pass
    roles: dict[str, str] = field(default_factory=dict)  # member -> role of its latest pass
    published: bool = False
    closed: bool = False
    problems: list[Problem] = field(default_factory=list)
    head: tuple[int, str] | None = None
    hashes: set[str] = field(default_factory=set)
    committee_key: dict[str, Any] | None = None  # {public_key, fingerprint} as last logged
    candidate_names: dict[int, str] = field(default_factory=dict)  # of every ballot's candidates
    settings: dict[str, Any] = field(default_factory=dict)  # the record's settings as last logged

    def set_pass(self, pass_id: int, member: str, status: str) -> None:
        self.passes[pass_id] = (member, status)
        if status == "active":
            self.active[member] = pass_id
        elif self.active.get(member) == pass_id:
            del self.active[member]

    def problem(self, seq: Any, message: Said) -> None:
        self.problems.append(Problem(seq, say("entry {seq}: {message}", seq=seq, message=message)))


def replay(lines: Iterable[LogLine]) -> Replay:
    state = Replay()
    for line in lines:
        entry = line.entry
        seq, kind, data = entry.get("seq"), entry.get("type"), entry.get("data")
        state.hashes.add(line.hash)
        state.head = (seq, line.hash) if isinstance(seq, int) else state.head
        if not isinstance(data, Mapping) or not isinstance(kind, str):
            state.problem(seq, say("has no type or no data"))
            continue
        handler = _HANDLERS.get(kind)
        if handler is None:
            state.problem(seq, say("has an unknown type {kind!r}", kind=kind))
            continue
        # Attendance at a decision: the active passes just before its entry (the meeting's
        # closing entry ends every pass after it records the undecided ballots).
        before = frozenset(state.active) if kind in _DECIDING else None
        try:
            handler(state, seq, data, line)
        except (KeyError, TypeError, ValueError) as error:
            state.problem(
                seq,
                say("({kind}) is malformed: {error}", kind=kind, error=f"{type(error).__name__}: {error}"),
            )
        if before is not None:
            for ballot in state.ballots.values():
                if ballot.close_seq == seq and ballot.present is None:
                    ballot.present = before
    return state


# The entries that decide a ballot (and set its `close_seq`).
_DECIDING = frozenset({
    E.BALLOT_CLOSED, E.BALLOT_ACCLAMATION, E.BALLOT_WITHDRAWN, E.BALLOT_HELD, E.BALLOT_OUT_OF_ORDER,
    E.BALLOT_VOIDED, E.BALLOT_COUNTED_BY_HAND, E.MEETING_CLOSED,
})  # fmt: skip


Handler = Any


def _meeting_created(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    if state.meeting:
        state.problem(seq, say("creates the meeting a second time"))
    state.meeting = dict(data["meeting"])
    state.rule = _rule(data["weight_rule"])


def _rule(data: Mapping[str, Any]) -> WeightRule:
    return WeightRule(int(data["inhabitants_per_vote"]), int(data["min_votes"]), int(data["max_votes"]))


def _agenda(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    if not isinstance(data["items"], list):
        raise TypeError("items is not a list")


def _meeting_opened(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    if state.register:
        state.problem(seq, say("opens the meeting a second time"))
    rule = _rule(data["weight_rule"])
    if state.rule is not None and rule != state.rule:
        state.problem(seq, say("opens with another weight rule than the meeting was created with"))
    state.rule = rule
    for row in data["register"]:
        code, population, weight = str(row["member"]), int(row["population"]), int(row["weight"])
        expected = weight_for(population, rule)
        if weight != expected:
            state.problem(
                seq,
                say(
                    "the frozen register gives {code} the weight {weight}, but a population of {population} "
                    "makes {expected} (SPEC 2.1)",
                    code=code,
                    weight=weight,
                    population=Number(population),
                    expected=expected,
                ),
            )
        if code in state.register:
            state.problem(seq, say("lists member {code} twice", code=code))
        state.register[code] = Seat(str(row["name"]), population, weight)
    if "population_date" in data:  # absent when unknown, and in logs written before 2026-12
        frozen = date.fromisoformat(str(data["population_date"])).isoformat()
        given = state.settings.get("population_date")
        if given is not None and given != frozen:
            state.problem(
                seq,
                say(
                    "opens with the population date {frozen}, but the meeting was given {given}",
                    frozen=frozen,
                    given=given,
                ),
            )
        state.settings["population_date"] = frozen


_SETTINGS = ("population_date", "chair_name", "committee_members", "publish_representatives")


def _meeting_settings(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    settings = data["settings"]
    if not isinstance(settings, Mapping):
        raise TypeError("settings is not an object")
    for name in settings:
        if name not in _SETTINGS:
            state.problem(seq, say("changes an unknown setting {name!r}", name=name))
    if state.published:
        state.problem(seq, say("changes the meeting's settings after its record was published"))
    if "population_date" in settings:
        if state.register:
            state.problem(seq, say("changes the population date after the meeting opened"))
        given = settings["population_date"]
        if given is not None:
            given = date.fromisoformat(str(given)).isoformat()
        state.settings["population_date"] = given
    members = settings.get("committee_members")
    if members is not None and not (isinstance(members, list) and all(isinstance(m, str) for m in members)):
        raise TypeError("committee_members is not a list of names")
    state.settings.update({name: settings[name] for name in settings if name != "population_date"})


def _member(state: Replay, seq: Any, code: Any) -> str | None:
    if code not in state.register:
        state.problem(seq, say("names member {code!r}, who is not in the frozen register", code=code))
        return None
    return str(code)


def _pass_issued(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    member = _member(state, seq, data["member"])
    pass_id, replaces = int(data["pass"]), data["replaces"]
    if member is None:
        return
    if pass_id in state.passes:
        state.problem(seq, say("issues pass {pass_id} a second time", pass_id=pass_id))
    if replaces is not None:
        # A hand-over: the entry ending the old pass comes first, in the same transaction.
        previous = state.passes.get(replaces)
        if previous is None or previous[0] != member:
            state.problem(
                seq,
                say(
                    "replaces pass {replaces}, which is not a pass of {member}",
                    replaces=replaces,
                    member=member,
                ),
            )
        elif previous[1] == "active":
            state.set_pass(replaces, member, "revoked")
    if member in state.active:
        state.problem(
            seq, say("issues a second active pass to {member} (SPEC 2.3: one at a time)", member=member)
        )
    state.set_pass(pass_id, member, "active")
    state.roles[member] = str(data["role"])


def _known_pass(state: Replay, seq: Any, data: Mapping[str, Any]) -> tuple[int, str, str] | None:
    pass_id = int(data["pass"])
    if pass_id not in state.passes:
        state.problem(seq, say("names pass {pass_id}, which was never issued", pass_id=pass_id))
        return None
    member, status = state.passes[pass_id]
    if "member" in data and data["member"] != member:
        state.problem(
            seq,
            say(
                "says pass {pass_id} is of {stated}, but it was issued to {member}",
                pass_id=pass_id,
                stated=data["member"],
                member=member,
            ),
        )
    return pass_id, member, status


def _pass_ended(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    known = _known_pass(state, seq, data)
    if known is None:
        return
    pass_id, member, status = known
    if status != "active":
        state.problem(seq, say("ends pass {pass_id}, which is {status}", pass_id=pass_id, status=status))
    ended = str(data["status"])
    if ended not in ("revoked", "checked_out"):
        state.problem(
            seq, say("ends pass {pass_id} with the unknown status {ended!r}", pass_id=pass_id, ended=ended)
        )
    state.set_pass(pass_id, member, ended)


def _pass_returned(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    known = _known_pass(state, seq, data)
    if known is None:
        return
    pass_id, member, status = known
    if status != "checked_out":
        state.problem(
            seq,
            say("returns pass {pass_id}, which is {status}, not checked out", pass_id=pass_id, status=status),
        )
    if member in state.active:
        state.problem(
            seq,
            say(
                "returns pass {pass_id} while {member} has another active pass",
                pass_id=pass_id,
                member=member,
            ),
        )
    state.set_pass(pass_id, member, "active")


def _pass_touched(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    known = _known_pass(state, seq, data)
    if known is not None and known[2] != "active":
        state.problem(seq, say("pairs pass {pass_id}, which is {status}", pass_id=known[0], status=known[2]))


def _card_issued(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    str(data["member"])


def _ballot_created(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    b = data["ballot"]
    ballot_id = int(b["id"])
    if ballot_id in state.ballots:
        state.problem(seq, say("creates ballot {ballot} a second time", ballot=ballot_id))
    ballot = ReplayedBallot(id=ballot_id, agenda="", title="", kind="", majority="", abstain_is_cast=False,
                            allow_change=True, test=False)  # fmt: skip
    _settle(ballot, b)
    _name_candidates(state, ballot)
    revote_of = b.get("revote_of")
    if revote_of is not None:
        redone = state.ballots.get(revote_of)
        if redone is None or redone.status != "voided":
            state.problem(
                seq,
                say(
                    "creates ballot {ballot} as a re-vote of ballot {redone}, which is not voided",
                    ballot=ballot_id,
                    redone=revote_of,
                ),
            )
        elif any(b.revote_of == redone.id for b in state.ballots.values()):
            state.problem(
                seq,
                say(
                    "creates ballot {ballot} as a second re-vote of ballot {redone}",
                    ballot=ballot_id,
                    redone=revote_of,
                ),
            )
        ballot.revote_of = int(revote_of)
    state.ballots[ballot_id] = ballot


def _settle(ballot: ReplayedBallot, b: Mapping[str, Any]) -> None:
    """Take a ballot's settings from a `ballot_created` or `ballot_edited` entry."""
    ballot.settings = {
        **dict(b),
        "off_agenda": bool(b.get("off_agenda", False)),
        # Absent in logs written before issue 14: every ballot was public, without candidates.
        "secret": bool(b.get("secret", False)),
        "candidates": [dict(c) for c in b.get("candidates") or []],
        "round_of": b.get("round_of"),
        "round": b.get("round"),
    }
    ballot.agenda, ballot.title, ballot.kind = str(b["agenda"]), str(b["title"]), str(b["kind"])
    ballot.majority = Majority(b["majority"]).value
    ballot.abstain_is_cast = bool(b["abstain_is_cast"])
    ballot.allow_change = bool(b["allow_change"])
    ballot.test = bool(b["test"])


def _ballot_edited(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    b = data["ballot"]
    ballot = _ballot(state, seq, {"ballot": b["id"]})
    if ballot is None:
        return
    if ballot.status != "draft":
        state.problem(
            seq,
            say(
                "edits ballot {ballot}, which is {status}; only a draft can be edited",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    _settle(ballot, b)
    _name_candidates(state, ballot)


def _name_candidates(state: Replay, ballot: ReplayedBallot) -> None:
    state.candidate_names.update((int(c["id"]), str(c["name"])) for c in ballot.settings["candidates"])
    ballot.names = state.candidate_names


def _ballot_deleted(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if ballot.status != "draft":
        state.problem(
            seq,
            say(
                "deletes ballot {ballot}, which is {status}; only a draft can be deleted",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    amending = [b.id for b in state.ballots.values() if b.settings.get("amends") == ballot.id]
    if amending:
        state.problem(
            seq,
            say(
                "deletes ballot {ballot}, which ballot {amending} amends",
                ballot=ballot.id,
                amending=amending[0],
            ),
        )
    del state.ballots[ballot.id]


def _candidate_withdrawn(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if ballot.status != "draft":
        state.problem(
            seq,
            say(
                "withdraws a candidate of ballot {ballot}, which is {status}; only a draft can change",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    candidates = ballot.settings["candidates"]
    left = [c for c in candidates if c.get("id") != data["candidate"]]
    if len(left) == len(candidates):
        state.problem(
            seq,
            say(
                "withdraws candidate {candidate!r}, which is not on ballot {ballot}",
                candidate=data["candidate"],
                ballot=ballot.id,
            ),
        )
        return
    if not left:
        state.problem(seq, say("withdraws the only candidate of ballot {ballot}", ballot=ballot.id))
    ballot.settings["candidates"] = left
    if len(left) == 1:
        ballot.settings["round"] = "single"


def _ballot(state: Replay, seq: Any, data: Mapping[str, Any]) -> ReplayedBallot | None:
    ballot = state.ballots.get(data["ballot"])
    if ballot is None:
        state.problem(seq, say("names ballot {ballot!r}, which was never created", ballot=data["ballot"]))
    return ballot


def _ballot_opened(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if not state.register:
        state.problem(seq, say("opens ballot {ballot} before the meeting opened", ballot=ballot.id))
    if ballot.status != "draft":
        state.problem(
            seq, say("opens ballot {ballot}, which is {status}", ballot=ballot.id, status=ballot.status)
        )
    already = [b.id for b in state.ballots.values() if b.status == "open"]
    if already:
        state.problem(
            seq,
            say(
                "opens ballot {ballot} while ballot {other} is open (SPEC 4.1: one at a time)",
                ballot=ballot.id,
                other=already[0],
            ),
        )
    replay_secret.sealing_key(state, seq, ballot, data)
    replay_elections.check_round(state, seq, ballot)
    ballot.status = "open"
    ballot.opened_seq = seq


def _eligible(state: Replay, seq: Any, data: Mapping[str, Any]) -> ReplayedBallot | None:
    """The ballot of a `vote` or `participation` entry, when its member may vote there now: the
    ballot is open, the pass is the member's active one, and a change is allowed."""
    ballot = _ballot(state, seq, data)
    member = _member(state, seq, data["member"])
    if ballot is None or member is None:
        return None
    if ballot.status != "open":
        state.problem(
            seq,
            say(
                "is a vote on ballot {ballot}, which is {status}, not open",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
        return None
    pass_id = data["pass"]
    holder = state.passes.get(pass_id)
    if holder is None or holder != (member, "active"):
        state.problem(
            seq,
            say(
                "is a vote of {member} with pass {pass_id}, which is not an active pass of it",
                member=member,
                pass_id=pass_id,
            ),
        )
        return None
    voted = member in ballot.choices or member in ballot.picks or member in ballot.participants
    if voted and not ballot.allow_change:
        state.problem(
            seq,
            say(
                "changes the vote of {member} on ballot {ballot}, which allows no change",
                member=member,
                ballot=ballot.id,
            ),
        )
        return None
    return ballot


def _vote(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _eligible(state, seq, data)
    if ballot is None:
        return
    member = str(data["member"])
    if ballot.secret:
        state.problem(
            seq,
            say(
                "is a vote entry on the secret ballot {ballot}, whose votes are logged as participations only",
                ballot=ballot.id,
            ),
        )
    elif len(ballot.candidate_ids) >= 2:
        pick = replay_elections.vote_choice(state, seq, ballot, data["choice"])
        if pick is not None:
            ballot.picks[member] = pick
    else:
        ballot.choices[member] = Choice(data["choice"])


def _participation(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    """A vote on a secret ballot: who voted (each member counts once), never what."""
    ballot = _eligible(state, seq, data)
    if ballot is None:
        return
    member = str(data["member"])
    str(data["vote_id"])
    if not ballot.secret:
        state.problem(
            seq,
            say(
                "is a participation on the public ballot {ballot}, whose votes are logged openly",
                ballot=ballot.id,
            ),
        )
        return
    if ballot.unit_parts:
        state.problem(
            seq,
            say("is a participation on ballot {ballot} after its unit ballots were listed", ballot=ballot.id),
        )
    ballot.participants[member] = state.register[member].weight


def _ballot_units(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is not None:
        replay_secret.add_units(state, seq, ballot, data)


def _ballot_closed(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if ballot.status != "open":
        state.problem(
            seq, say("closes ballot {ballot}, which is {status}", ballot=ballot.id, status=ballot.status)
        )
    counts = replay_secret.close_units(state, seq, ballot) if ballot.secret else None
    ballot.status = "closed"
    ballot.close_seq, ballot.close_hash = seq, line.hash
    if ballot.candidate_ids:
        ballot.election_stated = dict(data["result"])
        ballot.stated = ballot.election_stated
        replay_elections.close(state, seq, ballot, counts)
        return
    if counts is not None:
        decision = replay_secret.yes_no_decision(ballot, counts)
    else:
        weights = {code: state.register[code].weight for code in ballot.choices}
        decision = decide(
            tally_votes(ballot.choices, weights),
            Majority(ballot.majority),
            abstain_is_cast=ballot.abstain_is_cast,
        )
    ballot.decision = decision
    ballot.stated = dict(data["result"])
    differences = [
        say(
            "{name} {stated!r} where the votes give {value!r}",
            name=name,
            stated=ballot.stated.get(name),
            value=value,
        )
        for name, value in result_of(decision).items()
        if ballot.stated.get(name) != value
    ]
    if differences:
        state.problem(
            seq,
            say(
                "states a result of ballot {ballot} that its votes do not give: {differences}",
                ballot=ballot.id,
                differences=Joined(differences),
            ),
        )


def result_of(decision: Decision) -> dict[str, Any]:
    """A decision in the words of the log's `ballot_closed` entry (and of the published record)."""
    return {
        "for": decision.for_,
        "against": decision.against,
        "abstain": decision.abstain,
        "cast": decision.cast,
        "members_voted": decision.members_voted,
        "percent_for": decision.percent_for,
        "outcome": decision.outcome.value,
    }


def _decided_without_vote(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    outcome = E.DECIDED_WITHOUT_VOTE[line.entry["type"]]
    if ballot.status != "draft":
        state.problem(
            seq,
            say(
                "records ballot {ballot} as {outcome_status}, but it is {status}",
                ballot=ballot.id,
                outcome_status=outcome,
                status=ballot.status,
            ),
        )
    if ballot.test:
        state.problem(
            seq,
            say(
                "records the test ballot {ballot} as {outcome_status} (SPEC 2.7)",
                ballot=ballot.id,
                outcome_status=outcome,
            ),
        )
    if outcome == "out_of_order" and ballot.kind not in ("motie", "amendement"):
        state.problem(
            seq,
            say(
                "declares the {kind} {ballot} out of order; only a motie or amendement can be",
                kind=ballot.kind,
                ballot=ballot.id,
            ),
        )
    ballot.status = outcome
    ballot.close_seq, ballot.close_hash = seq, line.hash


def _ballot_voided(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    reason = str(data["reason"]).strip()
    if not reason:
        state.problem(seq, say("voids ballot {ballot} without a reason (SPEC 2.7)", ballot=ballot.id))
    if ballot.status == "closed":
        closed_at = ballot.close_seq or 0
        later = [
            b.id
            for b in state.ballots.values()
            if b.id != ballot.id and max(b.opened_seq or 0, b.close_seq or 0) > closed_at
        ]
        if later:
            state.problem(
                seq,
                say(
                    "voids ballot {ballot} after ballot {later} was opened or decided (SPEC 2.7)",
                    ballot=ballot.id,
                    later=later[0],
                ),
            )
    elif ballot.status != "open":
        state.problem(
            seq,
            say(
                "voids ballot {ballot}, which is {status}; only an open or closed one can be",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    if state.closed:
        state.problem(seq, say("voids ballot {ballot} after the meeting closed", ballot=ballot.id))
    ballot.status, ballot.void_reason = "voided", reason
    ballot.close_seq, ballot.close_hash = seq, line.hash


def _counted_by_hand(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if ballot.status != "draft":
        state.problem(
            seq,
            say(
                "records a count by hand of ballot {ballot}, which is {status}",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    if ballot.test:
        state.problem(
            seq, say("records a count by hand of the test ballot {ballot} (SPEC 2.7)", ballot=ballot.id)
        )
    if not str(data["confirmed_by"]).strip():
        state.problem(
            seq,
            say(
                "records a count by hand of ballot {ballot} that nobody of the committee confirmed",
                ballot=ballot.id,
            ),
        )
    stated = dict(data["result"])
    present = sum(state.register[code].weight for code in state.active if code in state.register)
    if ballot.candidate_ids:
        # A count the rules cannot read is a problem already, and leaves the ballot without a result.
        by_hand = replay_elections.count_by_hand(state, seq, ballot, stated, present)
        _closed_by_hand(ballot, by_hand, stated, data, seq, line)
        return
    if stated.get("for") is None:
        outcome = Outcome(stated["outcome"])
        if outcome not in (Outcome.ADOPTED, Outcome.REJECTED):
            state.problem(
                seq,
                say(
                    "records a count by hand of ballot {ballot} with the outcome {outcome}",
                    ballot=ballot.id,
                    outcome=outcome.value,
                ),
            )
        counted: dict[str, Any] = dict.fromkeys(RESULT_FIELDS) | {"outcome": outcome.value}
    else:
        tally = Tally(int(stated["for"]), int(stated["against"]), int(stated["abstain"]), 0, 0, 0)
        if tally.weight_voted > present:
            state.problem(
                seq,
                say(
                    "counts {counted} votes by hand on ballot {ballot}, but those present hold {present}",
                    counted=tally.weight_voted,
                    ballot=ballot.id,
                    present=present,
                ),
            )
        decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
        counted = {**result_of(decision), "members_voted": None}
    differences = [
        say(
            "{name} {stated!r} where the count gives {value!r}",
            name=name,
            stated=stated.get(name),
            value=value,
        )
        for name, value in counted.items()
        if stated.get(name) != value
    ]
    if differences:
        state.problem(
            seq,
            say(
                "states a count by hand of ballot {ballot} that does not add up: {differences}",
                ballot=ballot.id,
                differences=Joined(differences),
            ),
        )
    _closed_by_hand(ballot, counted, stated, data, seq, line)


def _closed_by_hand(
    ballot: ReplayedBallot,
    counted: dict[str, Any] | None,
    stated: dict[str, Any],
    data: Mapping[str, Any],
    seq: Any,
    line: LogLine,
) -> None:
    ballot.hand_count, ballot.stated = counted, stated
    ballot.confirmed_by = str(data["confirmed_by"])
    ballot.status = "closed"
    ballot.close_seq, ballot.close_hash = seq, line.hash


def _dissent(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if ballot.status != "acclamation":
        state.problem(
            seq,
            say(
                "notes dissent on ballot {ballot}, which is {status}, not an acclamation",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    members = [str(code) for code in data["members"]]
    for code in members:
        if _member(state, seq, code) is not None and code not in state.active:
            state.problem(
                seq, say("notes the dissent of {code}, which has no active pass (not present)", code=code)
            )
    ballot.dissent = members


def _countdown(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is not None and ballot.status != "open":
        state.problem(
            seq,
            say(
                "puts a countdown on ballot {ballot}, which is {status}, not open",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
    if int(data["seconds"]) < 0:
        state.problem(seq, say("puts a countdown of a negative number of seconds"))


def _current_item(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    if state.closed:
        state.problem(seq, say("puts an agenda item up after the meeting closed"))


def _meeting_closed(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    open_ballots = [b.id for b in state.ballots.values() if b.status == "open"]
    if open_ballots:
        state.problem(seq, say("closes the meeting while ballot {ballot} is open", ballot=open_ballots[0]))
    if "not_decided" in data:  # logs written before SPEC 2.11 do not list them
        listed = sorted(int(i) for i in data["not_decided"])
        drafts = sorted(b.id for b in state.ballots.values() if b.status == "draft" and not b.test)
        if listed != drafts:
            state.problem(
                seq,
                say(
                    "closes the meeting naming {listed} as not decided, but the undecided ballots are {drafts}",
                    listed=listed,
                    drafts=drafts,
                ),
            )
        for ballot_id in listed:
            ballot = state.ballots.get(ballot_id)
            if ballot is not None and ballot.status == "draft":
                ballot.status = "not_decided"
                ballot.close_seq, ballot.close_hash = seq, line.hash
    for pass_id in list(state.active.values()):
        member, _ = state.passes[pass_id]
        state.set_pass(pass_id, member, "meeting_closed")
    state.closed = True


def _committee_key(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    replay_secret.committee_key(state, seq, data)


def _ballot_lot(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is not None:
        replay_elections.lot(state, seq, ballot, data)


def _ballot_released(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    ballot = _ballot(state, seq, data)
    if ballot is None:
        return
    if not ballot.secret or ballot.status != "closed" or ballot.hand_count is not None:
        state.problem(
            seq,
            say(
                "releases the result of ballot {ballot}, which is not a closed secret ballot",
                ballot=ballot.id,
            ),
        )
    elif ballot.released:
        state.problem(seq, say("releases the result of ballot {ballot} a second time", ballot=ballot.id))
    ballot.released = True


def _ballot_unlocked(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    """The committee gave the server an open secret ballot's key again: only such a ballot."""
    ballot = _ballot(state, seq, data)
    if ballot is not None and (not ballot.secret or ballot.status != "open"):
        state.problem(
            seq,
            say("unlocks ballot {ballot}, which is not an open secret ballot", ballot=ballot.id),
        )


def _published(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    state.published = True


def _system(state: Replay, seq: Any, data: Mapping[str, Any], line: LogLine) -> None:
    """Chain 0's entries carry no meeting state to replay."""


_HANDLERS: dict[str, Handler] = {
    E.MEETING_CREATED: _meeting_created,
    E.AGENDA_ITEMS_ADDED: _agenda,
    E.MEETING_OPENED: _meeting_opened,
    E.MEETING_SETTINGS: _meeting_settings,
    E.CARD_ISSUED: _card_issued,
    E.PASS_ISSUED: _pass_issued,
    E.PASS_PAIRING_CODE: _pass_touched,
    E.PASS_PAIRED: _pass_touched,
    E.PASS_ENDED: _pass_ended,
    E.PASS_RETURNED: _pass_returned,
    E.BALLOT_CREATED: _ballot_created,
    E.BALLOT_OPENED: _ballot_opened,
    E.VOTE: _vote,
    E.PARTICIPATION: _participation,
    E.BALLOT_UNITS: _ballot_units,
    E.BALLOT_LOT: _ballot_lot,
    E.BALLOT_RELEASED: _ballot_released,
    E.BALLOT_UNLOCKED: _ballot_unlocked,
    E.COMMITTEE_KEY: _committee_key,
    E.BALLOT_CLOSED: _ballot_closed,
    E.BALLOT_ACCLAMATION: _decided_without_vote,
    E.BALLOT_WITHDRAWN: _decided_without_vote,
    E.BALLOT_HELD: _decided_without_vote,
    E.BALLOT_OUT_OF_ORDER: _decided_without_vote,
    E.BALLOT_EDITED: _ballot_edited,
    E.BALLOT_DELETED: _ballot_deleted,
    E.CANDIDATE_WITHDRAWN: _candidate_withdrawn,
    E.BALLOT_VOIDED: _ballot_voided,
    E.BALLOT_COUNTED_BY_HAND: _counted_by_hand,
    E.BALLOT_DISSENT: _dissent,
    E.BALLOT_COUNTDOWN: _countdown,
    E.CURRENT_ITEM: _current_item,
    E.MEETING_CLOSED: _meeting_closed,
    E.MEETING_PUBLISHED: _published,
    E.MEMBERS_IMPORTED: _system,
    E.TOKEN_CREATED: _system,
    E.MEETING_IMPORTED: _system,
}

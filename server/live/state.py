"""The in-memory read model of the open meeting (DESIGN: "Read model in memory").

Updated only from committed state: by the vote writer after each group commit, and by the hub
after an operator's transaction commits. Reading a tally is O(1); a recount from the database
is what closing a ballot does, and what the tests compare against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from server.rules import (
    EMPTY_TALLY,
    BallotStatus,
    ElectionResult,
    ElectionTally,
    RoundKind,
    Tally,
    VoteChoice,
)
from server.rules.tally import Choice
from server.rules.vote_choice import as_election


@dataclass(frozen=True, slots=True)
class Seat:
    """A member in the frozen register of the meeting (SPEC 2.1)."""

    member_id: int
    code: str
    name: str
    weight: int


@dataclass(frozen=True, slots=True)
class ActivePass:
    pass_id: int
    member_id: int
    token_hash: str


@dataclass(frozen=True, slots=True)
class Ack:
    vote_id: str
    ballot_id: int
    choice: VoteChoice | None  # a candidate's id in an election; None on a secret ballot
    receipt: str
    # The number of the vote's entry in the meeting's log: orders the votes of one member when
    # they reach a process by different ways (its own writer, the fan-out, a reload).
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class LiveCandidate:
    """A candidate on an election ballot (SPEC 2.10): a vote's choice names it by its id."""

    id: int
    name: str
    note: str | None


@dataclass(slots=True)
class Result:
    outcome: str
    for_: int | None
    against: int | None
    abstain: int | None
    cast: int | None
    members_voted: int | None
    percent_for: str | None
    counted_by_hand: bool = False
    void_reason: str | None = None
    dissent: list[str] = field(default_factory=list)  # names of the members whose dissent is noted


@dataclass(slots=True)
class LiveBallot:
    id: int
    agenda: str
    title: str
    kind: str
    status: BallotStatus
    majority: str
    abstain_is_cast: bool
    allow_change: bool
    test: bool
    show_live_tally: bool
    preadvies: str | None
    amends: int | None
    submitters: list[str]
    decided_at: datetime | None
    result: Result | None
    choices: dict[int, VoteChoice] = field(default_factory=dict)
    tally: Tally = EMPTY_TALLY  # the yes/no tally; an election counts in `election` instead
    seqs: dict[int, int] = field(default_factory=dict)  # member -> log seq of its current vote
    submitter_names: list[str] = field(default_factory=list)  # as the screens name them
    off_agenda: bool = False
    revote_of: int | None = None
    countdown_ends_at: datetime | None = None
    secret: bool = False  # SPEC 2.9: no running tally to anyone, no choice in any message
    candidates: list[LiveCandidate] = field(default_factory=list)
    round_of: int | None = None
    round: str | None = None  # an election's round kind (server.rules.RoundKind)
    # An election (two or more candidates, SPEC 2.10): its running tally per candidate, kept
    # next to (instead of) the yes/no `tally`; None on every other ballot.
    election: ElectionTally | None = None
    # An election round's stored result once closed, and the names of every candidate it
    # mentions (also those seeded from an earlier round), for the screens' minutes.
    election_result: ElectionResult | None = None
    candidate_names: dict[int, str] = field(default_factory=dict)
    # A secret ballot (SPEC 2.9): who took part (member -> log seq of its latest participation)
    # and their weight together; no choice and no tally while it is open. `released`: the chair
    # let its result onto the public screens.
    sealing_key: str | None = None  # the ballot key's public half (base64), once it opened
    participants: dict[int, int] = field(default_factory=dict)
    participation_weight: int = 0
    released: bool = False

    def __post_init__(self) -> None:
        if self.election is None and self.is_election:
            self.election = ElectionTally.empty([c.id for c in self.candidates])

    @property
    def is_election(self) -> bool:
        """Members choose a candidate (two or more stand); else the ballot is yes/no."""
        return len(self.candidates) >= 2 and self.round != RoundKind.SINGLE

    @property
    def election_ids(self) -> tuple[int, ...] | None:
        """The candidates a vote may name, or None on a yes/no ballot (server.rules.vote_choice.fits)."""
        return tuple(c.id for c in self.candidates) if self.is_election else None

    def voted(self) -> tuple[int, int]:
        """Members that voted, and their weight (abstentions included; SPEC 4.3 `voted`)."""
        if self.secret:
            return len(self.participants), self.participation_weight
        if self.election is not None:
            return self.election.members_voted, self.election.cast + self.election.abstain
        return self.tally.members_voted, self.tally.weight_voted

    def reset(self, choices: dict[int, tuple[VoteChoice, int]], seats: dict[int, Seat]) -> None:
        """Replace the votes with those stored (the database is the truth)."""
        self.choices, self.tally, self.seqs = {}, EMPTY_TALLY, {}
        if self.election is not None:
            self.election = ElectionTally.empty(self.election.candidates)
        for member_id, (choice, seq) in choices.items():
            self.apply_vote(member_id, choice, seats[member_id].weight, seq)

    def reset_participation(self, participants: dict[int, int], seats: dict[int, Seat]) -> None:
        """Replace the participations of a secret ballot with those stored."""
        self.participants, self.participation_weight = {}, 0
        for member_id, seq in participants.items():
            self.apply_participation(member_id, seats[member_id].weight, seq)

    def apply_participation(self, member_id: int, weight: int, seq: int = 0) -> None:
        """Apply one committed vote on a secret ballot: the member took part (its weight counts
        once, also after a change of vote); what it chose stays sealed."""
        if member_id not in self.participants:
            self.participation_weight += weight
        self.participants[member_id] = max(seq, self.participants.get(member_id, 0))

    def apply_committed(self, member_id: int, choice: VoteChoice | None, weight: int, seq: int = 0) -> None:
        """Apply a committed vote as it reaches a process: with its choice on a public ballot,
        as a participation (choice None) on a secret one."""
        if choice is None or self.secret:
            self.apply_participation(member_id, weight, seq)
        else:
            self.apply_vote(member_id, choice, weight, seq)

    def has_voted(self, member_id: int) -> bool:
        return member_id in (self.participants if self.secret else self.choices)

    def apply_vote(self, member_id: int, choice: VoteChoice, weight: int, seq: int = 0) -> None:
        """Apply one committed vote: a change moves the member's weight, never adds it twice.

        A vote older (by log seq) than the one applied already is ignored: the last vote counts,
        also when two votes of a member arrive out of order from two processes.
        """
        if seq and seq < self.seqs.get(member_id, 0):
            return
        previous = self.choices.get(member_id)
        if self.election is not None:
            election = (
                self.election if previous is None else self.election.remove(as_election(previous), weight)
            )
            self.election = election.add(as_election(choice), weight)
        else:
            if not isinstance(choice, Choice):
                raise ValueError(f"candidate {choice} on yes/no ballot {self.id}")
            tally = self.tally if previous is None else self.tally.remove(Choice(str(previous)), weight)
            self.tally = tally.add(choice, weight)
        self.choices[member_id] = choice
        if seq:
            self.seqs[member_id] = seq


@dataclass(slots=True)
class LiveMeeting:
    id: int
    title: str
    date: date
    seats: dict[int, Seat]
    passes: dict[str, ActivePass]  # token hash -> active pass
    ended_passes: set[str]  # token hashes of revoked or checked-out passes
    ballots: dict[int, LiveBallot]
    # (member id, vote_id) -> the ack once given, for the votes of the open ballots only.
    acks: dict[tuple[int, str], Ack]
    epoch: int = 0  # the meeting's feed epoch: the high part of its feed versions
    closed: bool = False  # SPEC 2.11: the screens keep a closed meeting until another opens
    agenda: dict[str, str] = field(default_factory=dict)  # item number -> title, in agenda order
    current_item: str | None = None  # the item the chair put up
    total_weight: int = 0
    _active_by_pass: dict[int, ActivePass] = field(default_factory=dict)
    # The votes of ballots no longer open, by the hash of their (member id, vote_id) only: no
    # end state is ever reopened, so their acks serve only a resend, which reads its ack back
    # from the log (LiveHub.queue_vote). Memory then holds the open ballot's acks, not every ack
    # of the day: about 450 bytes a vote less, 4.5 MB per ballot of 10,000 members (issue 16).
    # A hash that collides only sends a new vote to the log to be looked up first.
    answered_before: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.total_weight = sum(seat.weight for seat in self.seats.values())
        self._active_by_pass = {p.pass_id: p for p in self.passes.values()}
        self.retire_acks()

    def retire_acks(self) -> None:
        """Keep in `acks` only the votes of open ballots; remember the others by hash."""
        open_ids = {b.id for b in self.ballots.values() if b.status is BallotStatus.OPEN}
        kept: dict[tuple[int, str], Ack] = {}
        for key, ack in self.acks.items():
            if ack.ballot_id in open_ids or ack.ballot_id not in self.ballots:
                kept[key] = ack
            else:
                self.answered_before.add(hash(key))
        self.acks = kept

    def note_ack(self, member_id: int, ack: Ack) -> None:
        """Remember a committed vote's ack (one applied from elsewhere: the fan-out, a reload)."""
        ballot = self.ballots.get(ack.ballot_id)
        if ballot is not None and ballot.status is not BallotStatus.OPEN:
            self.answered_before.add(hash((member_id, ack.vote_id)))
        else:
            self.acks[(member_id, ack.vote_id)] = ack

    def may_have_answered(self, member_id: int, vote_id: str) -> bool:
        """Whether a vote_id may be that of a vote on a ballot closed since (then the log knows)."""
        return hash((member_id, vote_id)) in self.answered_before

    @property
    def open_ballot(self) -> LiveBallot | None:
        return next((b for b in self.ballots.values() if b.status is BallotStatus.OPEN), None)

    @property
    def shown_ballot(self) -> LiveBallot | None:
        """What the hall sees: the open ballot, else the one decided last (a ballot voided after
        its result was shown stays, marked void; one left undecided at the close is not shown)."""
        current = self.open_ballot
        if current is not None:
            return current
        decided = [
            b
            for b in self.ballots.values()
            if b.decided_at is not None and b.status is not BallotStatus.NOT_DECIDED
        ]
        return max(decided, key=lambda b: (b.decided_at, b.id)) if decided else None

    def active_pass(self, pass_id: int) -> ActivePass | None:
        return self._active_by_pass.get(pass_id)

    def add_pass(self, active: ActivePass) -> ActivePass | None:
        """Record an active pass; returns the entry it replaced when its token changed (pairing)."""
        replaced = self._active_by_pass.get(active.pass_id)
        if replaced is not None and replaced.token_hash != active.token_hash:
            self.passes.pop(replaced.token_hash, None)
            self.ended_passes.add(replaced.token_hash)
        else:
            replaced = None
        self.passes[active.token_hash] = active
        self._active_by_pass[active.pass_id] = active
        return replaced

    def end_pass(self, pass_id: int) -> ActivePass | None:
        active = self._active_by_pass.pop(pass_id, None)
        if active is not None:
            self.passes.pop(active.token_hash, None)
            self.ended_passes.add(active.token_hash)
        return active

    def present(self) -> tuple[int, int]:
        """Members with an active pass, and their weight (SPEC 2.3)."""
        members = {p.member_id for p in self.passes.values()}
        return len(members), sum(self.seats[m].weight for m in members)

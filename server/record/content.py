"""What the published record says (SPEC 2.6, 2.7, 2.9): pure values, no I/O.

The service fills a `Record` from the database; the JSON, CSV, HTML and PDF renderings are each a
pure function of it, so that the four always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from server.rules import (
    TERMINAL,
    BallotStatus,
    Choice,
    ElectionOutcome,
    ElectionResult,
    Outcome,
    RoundKind,
    VoteChoice,
    election_sentence,
    minutes_sentence,
    percent_for,
)
from server.rules.minutes import dutch_date

# Ballots that ended and so belong in the record: decided, voided, or left undecided when the
# meeting closed (SPEC 2.7, 2.11); drafts and an open ballot do not.
ENDED = TERMINAL
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

CHOICE_NL = {Choice.FOR: "voor", Choice.AGAINST: "tegen", Choice.ABSTAIN: "onthouding"}
MAJORITY_NL = {"simple": "gewone meerderheid", "two_thirds": "twee derde meerderheid"}
# An election is decided by an absolute majority of the cast votes, whatever its `majority` says.
ELECTION_MAJORITY_NL = "volstrekte meerderheid"
# The board's advice as the minutes word it (SPEC 2.8).
PREADVIES_NL = {
    "overnemen": "overnemen",
    "aanhouden": "aanhouden",
    "ontraden": "ontraden",
    "oordeel_vergadering": "oordeel aan de vergadering",
    "buiten_de_orde": "buiten de orde verklaren",
}
# The hall's clock: the record's times are Dutch local time, never UTC (issue 15).
HALL_TIME = ZoneInfo("Europe/Amsterdam")
# The rounds of an election as the record names them (SPEC 2.10).
ROUND_NL = {
    RoundKind.FIRST: "eerste vrije stemming",
    RoundKind.SECOND: "tweede vrije stemming",
    RoundKind.INTERMEDIATE: "tussenstemming",
    RoundKind.RUNOFF: "herstemming",
    RoundKind.SINGLE: "stemming over de laatste kandidaat",
}


def nl_number(value: int | None) -> str:
    """An integer as Dutch readers write it (13.111), or a dash for none."""
    return "—" if value is None else f"{value:,}".replace(",", ".")


def in_record(status: str, test: bool) -> bool:
    """A decided ballot that is not a test vote (SPEC 2.7: a test vote never enters the record)."""
    return not test and status in ENDED


# A member's cell on a secret ballot (SPEC 2.9): that it voted, never how.
VOTED: Final = "voted"
RecordChoice = VoteChoice | Literal["voted"]
# A member's cell when it has no vote on the ballot: present (an active pass when the ballot
# closed) without voting, or absent. Three different cells, never one empty one (issue 15).
NOT_VOTED: Final = "not_voted"
ABSENT: Final = "absent"
RecordCell = RecordChoice | Literal["not_voted", "absent"]
CELL_NL: Final = {VOTED: "gestemd", NOT_VOTED: "niet gestemd", ABSENT: "afwezig"}


def hall_time(moment: datetime | None) -> str:
    """A moment on the hall's clock, as the minutes give it ("14:32"); "" for none."""
    return moment.astimezone(HALL_TIME).strftime("%H:%M") if moment is not None else ""


@dataclass(frozen=True, slots=True)
class BallotRef:
    """Another ballot a ballot names: the proposal an amendment amends, the ballot a re-vote redoes."""

    id: int
    agenda: str
    title: str

    def label(self) -> str:
        return f"agendapunt {self.agenda} {self.title}"


@dataclass(frozen=True, slots=True)
class Lot:
    """A lot drawn in the hall after a tie in a run-off (SPEC 2.10), as the log records it."""

    candidate: str  # the name the lot drew
    drawn_by: str | None  # who drew it, as the chair entered it


@dataclass(frozen=True, slots=True)
class RecordBallot:
    """A decided ballot. The totals are None for a decision without an electronic vote."""

    id: int
    agenda: str
    title: str
    kind: str
    majority: str
    status: str
    outcome: Outcome | ElectionOutcome
    for_: int | None
    against: int | None
    abstain: int | None
    cast: int | None
    members_voted: int | None
    percent_for: str | None
    log_seq: int | None  # the log entry that recorded the decision
    log_hash: str | None
    counted_by_hand: bool = False
    void_reason: str | None = None
    dissent: tuple[str, ...] = ()  # names of the members whose dissent is noted (aantekening)
    # An election round (SPEC 2.10): its stored result, and the names of the candidates it names.
    election: ElectionResult | None = None
    candidates: tuple[tuple[int, str], ...] = ()
    secret: bool = False  # SPEC 2.9: the members' cells say only that they voted
    # An election's rounds: this one's kind, the round it follows and the first round of its chain
    # (None on a first round and on any other ballot).
    round: RoundKind | None = None
    round_of: int | None = None
    first_round: int | None = None
    # What the minutes say of the ballot besides its result (issue 15).
    submitters: tuple[str, ...] = ()  # the submitting members' names, on a motion or amendment
    preadvies: str | None = None  # the board's advice (a Preadvies value)
    amends: BallotRef | None = None  # an amendment's proposal
    # A proposal's amendments in the record, each with its sentence for the minutes.
    amended_by: tuple[tuple[BallotRef, str], ...] = ()
    off_agenda: bool = False  # a motion on a matter not on the agenda (vreemd aan de orde van de dag)
    revote_of: BallotRef | None = None  # the voided ballot this one votes again
    revoted_by: int | None = None  # a voided ballot's re-vote, once there is one
    confirmed_by: str | None = None  # the committee member who confirmed a count by hand
    lot: Lot | None = None
    closed_at: datetime | None = None  # when it was decided (UTC; rendered on the hall's clock)
    # Attendance when it was decided: members with an active pass at its log entry, and their
    # weight. None when the log has no such entry (a ballot left undecided at the close).
    present_members: int | None = None
    present_weight: int | None = None

    @property
    def election_round(self) -> bool:
        return self.election is not None or self.round is not None

    @property
    def majority_nl(self) -> str:
        return ELECTION_MAJORITY_NL if self.election_round else MAJORITY_NL.get(self.majority, self.majority)

    @property
    def amended_by_nl(self) -> list[str]:
        """Each amendment of this proposal as the minutes name it: "stemming #2 Amendement X:
        verworpen met 36,44% van de stemmen vóór"."""
        return [f"stemming #{ref.id} {ref.title}: {sentence}" for ref, sentence in self.amended_by]

    @property
    def preadvies_nl(self) -> str | None:
        return PREADVIES_NL.get(self.preadvies, self.preadvies) if self.preadvies else None

    @property
    def electronic(self) -> bool:
        """Decided by an electronic vote that counts, so every member's choice is on record."""
        return self.status == BallotStatus.CLOSED and not self.counted_by_hand

    def minutes(self, lang: str = "nl") -> str:
        if self.election is not None and isinstance(self.outcome, ElectionOutcome):
            return election_sentence(self.election, dict(self.candidates), lang, by_hand=self.counted_by_hand)
        return minutes_sentence(
            Outcome(self.outcome.value),
            self.percent_for,
            lang,
            by_hand=self.counted_by_hand,
            reason=self.void_reason,
            dissent=self.dissent,
        )

    def cell(self, choice: RecordCell) -> str:
        """A member's cell as the record's table says it: voor, tegen, onthouding, or in an
        election the name of the candidate it chose; on a secret ballot only "gestemd" (SPEC 2.9);
        "niet gestemd" when present without a vote, "afwezig" when absent."""
        if isinstance(choice, str) and choice in CELL_NL:
            return CELL_NL[choice]
        if isinstance(choice, Choice):
            return CHOICE_NL[choice]
        if isinstance(choice, int):
            return dict(self.candidates).get(choice, str(choice))
        return str(choice)

    @property
    def round_name(self) -> str | None:
        """The round's name for the record ("tweede vrije stemming"), None outside an election."""
        kind = self.round or (self.election.round if self.election is not None else None)
        return ROUND_NL[kind] if kind is not None else None

    def candidate_rows(self) -> list[tuple[str, int, str]]:
        """An election round's result per candidate, in the ballot's order: name, votes and the
        share of the cast votes ("53,57%"), then the abstentions (not cast, no share). A
        single-candidate vote gives its votes for and against the candidate."""
        result = self.election
        if result is None:
            return []
        names = dict(self.candidates)
        rows = [(names.get(c.id, str(c.id)), c.votes, _percent_nl(c.percent)) for c in result.candidates]
        if result.round is RoundKind.SINGLE:
            rows = [(f"voor {name}", votes, share) for name, votes, share in rows]
            rows.append(("tegen", result.against, _percent_nl(percent_for(result.against, result.cast))))
        rows.append(("onthouding", result.abstain, "telt niet mee"))
        return rows

    @property
    def percent_nl(self) -> str:
        """The percentage in favour as Dutch spreadsheets and screens write it ("93,40"), or ""."""
        return self.percent_for.replace(".", ",") if self.percent_for is not None else ""


def _percent_nl(percent: str | None) -> str:
    return f"{percent.replace('.', ',')}%" if percent is not None else "—"


@dataclass(frozen=True, slots=True)
class Representative:
    """Who held one of the member's voting passes: names are personal data (Record.show_names)."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class RecordMember:
    code: str
    name: str
    weight: int  # frozen when the meeting opened (SPEC 2.1)
    role: str | None  # of the member's latest voting pass; None if it was never present
    # Per electronically closed ballot: the choice, VOTED on a secret ballot, NOT_VOTED (an
    # active pass when the ballot closed, no vote) or ABSENT.
    votes: Mapping[int, RecordCell]
    # Present at the meeting: an active pass at any time. Its representatives in pass order.
    present: bool = False
    representatives: tuple[Representative, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    meeting_id: int
    title: str
    date: date
    place: str | None
    published_at: datetime | None
    log_head: tuple[int, str] | None  # (seq, hash) of the meeting's log when the record was read
    ballots: tuple[RecordBallot, ...]  # in agenda order (SPEC 2.8)
    members: tuple[RecordMember, ...]  # by code
    # The reference date of the weights' population figures (statutes art. 11.4), if known.
    population_date: dt.date | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    # The meeting's closing entry: what the chair and the committee sign (publication adds
    # entries after it). None while the meeting is open.
    close_seq: int | None = None
    close_hash: str | None = None
    chair_name: str | None = None
    committee_members: tuple[str, ...] = ()
    # Whether this rendering names the representatives: the minutes' PDF and Word documents and
    # the chair's record always; the public JSON, CSV and HTML only by the meeting's setting.
    show_names: bool = False
    publish_representatives: bool = False  # the meeting's setting
    # Where the public reads this server (VOTEHALL_PUBLIC_URL), for the check command the
    # documents print; None when it is not configured (a request's Host header is not trusted).
    public_url: str | None = None

    @property
    def present(self) -> tuple[RecordMember, ...]:
        """The members present at the meeting (an active pass at any time)."""
        return tuple(m for m in self.members if m.present)

    @property
    def present_weight(self) -> int:
        return sum(m.weight for m in self.present)

    @property
    def total_weight(self) -> int:
        return sum(m.weight for m in self.members)

    def attendance_nl(self) -> str:
        """ "271 van 342 leden aanwezig, 11.248 van 13.111 stemmen"."""
        return (
            f"{nl_number(len(self.present))} van {nl_number(len(self.members))} leden aanwezig, "
            f"{nl_number(self.present_weight)} van {nl_number(self.total_weight)} stemmen"
        )

    def population_date_nl(self) -> str | None:
        """ "inwonertallen CBS per 1 januari 2024", or None when the date is not known."""
        if self.population_date is None:
            return None
        return f"inwonertallen CBS per {dutch_date(self.population_date)}"

    @property
    def voted(self) -> tuple[RecordBallot, ...]:
        """The ballots decided by an electronic vote: the columns of the per-member table."""
        return tuple(b for b in self.ballots if b.electronic)

    def rounds_of(self, ballot: RecordBallot) -> tuple[RecordBallot, ...]:
        """The first round of an election and every later round in the record, in the order they
        were held; () for any other ballot and for a later round (its first round lists them)."""
        if ballot.election is None or ballot.first_round is not None:
            return ()
        later = [b for b in self.ballots if b.first_round == ballot.id]
        return (ballot, *sorted(later, key=lambda b: b.id)) if later else ()

"""A Record with everything the minutes can say (issue 15), built without a server: for the
rendering tests and the browser test of record.html at phone and laptop widths."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from server.record.content import (
    ABSENT,
    NOT_VOTED,
    BallotRef,
    Lot,
    Record,
    RecordBallot,
    RecordCell,
    RecordMember,
    Representative,
)
from server.rules import Choice, ElectionTally, Outcome, RoundKind, decide_election

LONG_TITLE = (
    "Voorstel tot wijziging van het huishoudelijk reglement inzake de digitale ledenvergadering en "
    "de publicatie van het stemgedrag per lid"
)
REPRESENTATIVE = "Jolanda van der Wiel-Oosterbeek"
CLOSED = datetime(2025, 6, 18, 14, 32, tzinfo=UTC)  # 16:32 on the hall's clock


def _voted(ballot_id: int, agenda: str, title: str, kind: str, **fields: object) -> RecordBallot:
    base = RecordBallot(
        id=ballot_id, agenda=agenda, title=title, kind=kind, majority="simple", status="closed",
        outcome=Outcome.ADOPTED, for_=9_012, against=1_990, abstain=246, cast=11_002, members_voted=265,
        percent_for="81.91", log_seq=100 + ballot_id, log_hash=f"{ballot_id:02x}" * 32,
        present_members=265, present_weight=11_002, closed_at=CLOSED,
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def sample_ballots() -> tuple[RecordBallot, ...]:
    ids = [61, 62]
    election = decide_election(RoundKind.FIRST, ids, ElectionTally.empty(ids).add(61, 75).add(62, 42))
    extra = tuple(
        _voted(20 + n, str(10 + n), f"Motie nummer {n}", "motie", submitters=("Grootstad",)) for n in range(8)
    )
    return (
        _voted(
            2, "4", "Amendement A1 op het reglement", "amendement", outcome=Outcome.REJECTED,
            percent_for="31.20", submitters=("Grootstad", "Middenburg"), preadvies="ontraden",
            amends=BallotRef(3, "4", LONG_TITLE),
        ),
        _voted(3, "4", LONG_TITLE, "voorstel", majority="two_thirds", preadvies=None),
        _voted(
            4, "5", "Motie over de contributie", "motie", status="voided", outcome=Outcome.VOIDED,
            void_reason="storing in de zaal", revoted_by=5, preadvies="oordeel_vergadering",
        ),
        _voted(5, "5", "Motie over de contributie", "motie", revote_of=BallotRef(4, "5", "Motie over de contributie")),
        RecordBallot(
            id=6, agenda="6", title="Jaarrekening 2024", kind="voorstel", majority="simple", status="closed",
            outcome=Outcome.ADOPTED, for_=10_000, against=500, abstain=0, cast=10_500, members_voted=None,
            percent_for="95.24", log_seq=106, log_hash="06" * 32, counted_by_hand=True,
            confirmed_by="P. de Teller", closed_at=CLOSED,
        ),
        RecordBallot(
            id=7, agenda="7", title="Voorzitter van de stemcommissie", kind="benoeming", majority="simple",
            status="closed", outcome=election.outcome, for_=None, against=None, abstain=0, cast=117,
            members_voted=2, percent_for=None, log_seq=107, log_hash="07" * 32, election=election,
            candidates=((61, "Anna Alfa"), (62, "Bert Beta")), round=RoundKind.FIRST,
            lot=Lot("Anna Alfa", "de voorzitter"), present_members=270, present_weight=11_200,
        ),
        *extra,
        RecordBallot(
            id=9, agenda="9", title="Motie die niet aan bod kwam", kind="motie", majority="simple",
            status="not_decided", outcome=Outcome.NOT_DECIDED, for_=None, against=None, abstain=None,
            cast=None, members_voted=None, percent_for=None, log_seq=199, log_hash="09" * 32,
        ),
    )  # fmt: skip


# A member's cell by its position: the three kinds of cell (a vote, niet gestemd, afwezig) all occur.
CELLS: tuple[RecordCell, ...] = (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, NOT_VOTED, Choice.FOR, ABSENT)


def sample_record(members: int = 40, *, show_names: bool = False, published: bool = True) -> Record:
    ballots = sample_ballots()
    voted = [b.id for b in ballots if b.electronic]
    people = []
    for n in range(members):
        present = n % 7 != 6
        cells: dict[int, RecordCell] = {
            ballot_id: (CELLS[(n + i) % len(CELLS)] if present else ABSENT)
            for i, ballot_id in enumerate(voted)
        }
        if 7 in cells and cells[7] in (Choice.FOR, Choice.AGAINST, Choice.ABSTAIN):
            cells[7] = 61 if n % 2 else Choice.ABSTAIN  # the election: a candidate's id
        representatives = (
            (Representative(REPRESENTATIVE if n == 0 else f"Vertegenwoordiger {n}", "burgemeester"),)
            if present
            else ()
        )
        people.append(
            RecordMember(
                code=f"GM{n + 1:04d}",
                name="Súdwest-Fryslân-Oost" if n == 0 else f"Gemeente {n + 1}",
                weight=75 if n == 0 else 10 + n,
                role="burgemeester" if present else None,
                votes=cells,
                present=present,
                representatives=representatives,
            )
        )
    return Record(
        meeting_id=1, title="Algemene Ledenvergadering", date=date(2025, 6, 18), place="Utrecht",
        published_at=datetime(2025, 6, 19, 9, 0, tzinfo=UTC) if published else None,
        log_head=(250, "ef" * 32), ballots=ballots, members=tuple(people),
        population_date=date(2024, 1, 1), opened_at=datetime(2025, 6, 18, 8, 2, tzinfo=UTC),
        closed_at=datetime(2025, 6, 18, 15, 1, tzinfo=UTC), close_seq=240, close_hash="ce" * 32,
        chair_name="M. Voorzitter", show_names=show_names,
    )  # fmt: skip

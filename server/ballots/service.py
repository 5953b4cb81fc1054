"""Ballots as they are read: one, a meeting's in agenda order, the running tally, and the
settings the log records (SPEC 2.4, 2.8, 4.1). Preparing them is server.ballots.drafts, the
chair's lifecycle server.ballots.lifecycle, the corrections server.ballots.corrections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots import candidates as election
from server.ballots import repository
from server.ballots.models import Ballot, Candidate
from server.errors import NotFound
from server.meetings import repository as meeting_repository
from server.meetings.service import get_meeting
from server.rules import (
    BallotKind,
    Choice,
    RoundKind,
    Tally,
    kind_order,
    tally_votes,
)


async def get_ballot(session: AsyncSession, ballot_id: int, *, for_update: bool = False) -> Ballot:
    ballot = await repository.get(session, ballot_id, for_update=for_update)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}", code="unknown_ballot")
    return ballot


async def list_ballots(session: AsyncSession, meeting_id: int) -> list[Ballot]:
    """The meeting's ballots in agenda order; within an item amendments, proposal, motions, and motions
    not on the agenda last (SPEC 2.8)."""
    await get_meeting(session, meeting_id)
    positions = {item.number: item.position for item in await meeting_repository.agenda(session, meeting_id)}
    return in_agenda_order(await repository.of_meeting(session, meeting_id), positions)


def in_agenda_order(ballots: Sequence[Ballot], positions: Mapping[str, int]) -> list[Ballot]:
    """One meeting's ballots in the order of SPEC 2.8, given its agenda items' positions."""
    return sorted(
        ballots,
        key=lambda b: (
            b.off_agenda,  # motions on matters not on the agenda come at the end of the meeting
            positions.get(b.agenda, len(positions) + 1),
            b.agenda,
            kind_order(BallotKind(b.kind)),
            b.id,
        ),
    )


async def live_tally(session: AsyncSession, ballot: Ballot) -> Tally | None:
    """The yes/no tally of the stored votes; None for an election (its tally is per candidate:
    `rounds.counted`) and for a secret ballot (whose votes are sealed)."""
    if ballot.secret or ballot.round not in (None, RoundKind.SINGLE):
        return None
    votes = await repository.weighted_votes(session, ballot)
    return tally_votes({code: Choice(choice) for code, choice, _ in votes}, {code: w for code, _, w in votes})


def ballot_data(ballot: Ballot, candidates: Sequence[Candidate]) -> dict[str, object]:
    """A ballot's settings as the log records them (server.audit.entries)."""
    return {
        "id": ballot.id,
        "agenda": ballot.agenda,
        "title": ballot.title,
        "kind": ballot.kind,
        "majority": ballot.majority,
        "abstain_is_cast": ballot.abstain_is_cast,
        "allow_change": ballot.allow_change,
        "test": ballot.test,
        "show_live_tally": ballot.show_live_tally,
        "amends": ballot.amends_id,
        "submitters": list(ballot.submitters),
        "preadvies": ballot.preadvies,
        "off_agenda": ballot.off_agenda,
        "revote_of": ballot.revote_of_id,
        "secret": ballot.secret,
        "candidates": [election.candidate_data(c) for c in candidates],
        "round_of": ballot.round_of_id,
        "round": ballot.round,
    }

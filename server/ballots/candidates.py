"""The candidates and rounds of a `benoeming` as stored (SPEC 2.10, docs/SECRET_BALLOTS.md).

The use cases in `server.ballots.drafts` call these when a ballot is created or edited; the
rules they apply are the pure ones of `server.ballots.elections`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.ballots import repository
from server.ballots.elections import clean_candidates, round_kind
from server.ballots.models import Ballot, Candidate
from server.ballots.schemas import CandidateIn
from server.errors import Conflict, InvalidInput
from server.rules import BallotKind, BallotStatus, RoundKind

Names = list[tuple[str, str | None]]


def cleaned(candidates: Sequence[CandidateIn] | None) -> Names:
    """The candidates a request gives, checked; none (null or []) makes a slate or another kind."""
    if not candidates:
        return []
    return clean_candidates([(c.name, c.note) for c in candidates])


def names_of(rows: Sequence[Candidate]) -> Names:
    return [(row.name, row.note) for row in rows]


async def follow(session: AsyncSession, ballot: Ballot, round_of: int) -> None:
    """Make `ballot` the round after ballot `round_of`: a benoeming with candidates of the same
    meeting that no other round follows yet (a voided round does not count: its re-vote follows
    the same ballot)."""
    before = await repository.get(session, round_of)
    if before is None or before.meeting_id != ballot.meeting_id:
        raise InvalidInput(f"ballot {round_of} is not a ballot of this meeting", code="invalid_ballot")
    if before.kind != BallotKind.BENOEMING or not await repository.candidates_of(session, before.id):
        raise InvalidInput(
            f"a round follows an election; agenda item {before.agenda} {before.title!r} has no candidates",
            code="invalid_round",
        )
    taken = [
        b for b in await repository.next_rounds_of(session, before.id) if b.status != BallotStatus.VOIDED
    ]
    if taken:
        raise Conflict(
            f"agenda item {taken[0].agenda} {taken[0].title!r} already follows that round",
            code="round_already_followed",
        )
    if (
        before.secret
        and before.status == BallotStatus.CLOSED
        and before.released_at is None
        and not before.counted_by_hand
    ):
        # The hall sees each round's votes before it votes again (SPEC 2.9: the chair releases
        # a secret result as the committee announces it); a round counted by hand is released
        # by its count.
        raise Conflict(
            f"the result of agenda item {before.agenda} {before.title!r} is not released yet; "
            "release it to the screens before the next round",
            code="result_not_released",
        )
    ballot.round_of_id = before.id


def settle_round(ballot: Ballot, candidates: int, given: RoundKind | None) -> None:
    """Set the ballot's round kind from its candidates (and, for a later round, the kind given)."""
    kind = round_kind(candidates, follows=ballot.round_of_id is not None, given=given)
    ballot.round = kind.value if kind is not None else None


def round_after_edit(ballot: Ballot, candidates: int) -> RoundKind | None:
    """The round kind to keep when a draft's candidates change: a later round keeps its kind
    unless one candidate is left (then it is single); a first round follows its candidates."""
    if ballot.round_of_id is None or ballot.round is None or candidates == 1:
        return None
    return RoundKind(ballot.round)


async def store(session: AsyncSession, ballot: Ballot, names: Names) -> list[Candidate]:
    """Replace the ballot's candidates with `names`, in that order (new ids)."""
    await repository.delete_candidates(session, ballot.id)
    rows = [
        Candidate(ballot_id=ballot.id, position=position, name=name, note=note)
        for position, (name, note) in enumerate(names, start=1)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


def candidate_data(candidate: Candidate) -> dict[str, object]:
    """A candidate as the log, the API and the screens give it."""
    return {"id": candidate.id, "name": candidate.name, "note": candidate.note}

"""Changing the read model (the open meeting in memory) with what was committed: votes, from the
vote writer of this process, another process or the log, and operator changes to a ballot or a
pass, read again from the database.

An operator's change is applied in two steps: `prepare` reads what changed (it awaits the
database) and answers a `Change`; the hub then applies every change of one commit in one go,
with no await in between, so that no screen ever sees half of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from server.ballots.models import Ballot
from server.db import Database
from server.desk.models import Pass
from server.live import repository
from server.live.events import BallotChanged, LiveEvent, PassChanged
from server.live.links import KioskLinks
from server.live.schemas import kiosk_ballot
from server.live.state import Ack, ActivePass, LiveBallot, LiveMeeting
from server.live.writer import Applied, VoteWriter
from server.rules import BallotStatus
from server.rules.vote_choice import from_value

# One change to the read model, given the votes the writer committed while it was read (so that
# a ballot read again does not lose them).
Change = Callable[[list[Applied]], None]


@contextmanager
def recording(writer: VoteWriter) -> Iterator[list[Applied]]:
    """Note the votes the writer (or the fan-out, or a catch-up) applies meanwhile: a model read
    from the database while they commit may lack them, and is given them before it is used."""
    applied: list[Applied] = []
    writer.recorders.append(applied)
    try:
        yield applied
    finally:
        writer.recorders.remove(applied)


def replay(meeting: LiveMeeting, applied: list[Applied]) -> None:
    """Apply votes committed while a reload was reading (idempotent for those it already saw)."""
    for ballot_id, member_id, choice, ack in applied:
        meeting.note_ack(member_id, ack)
        ballot = meeting.ballots.get(ballot_id)
        if ballot is not None and member_id in meeting.seats:
            ballot.apply_committed(member_id, choice, meeting.seats[member_id].weight, ack.seq)


def apply_votes(meeting: LiveMeeting, votes: list[list[Any]], recorders: list[list[Applied]]) -> None:
    """Apply votes committed elsewhere, as the fan-out carries them ([ballot, member, choice,
    vote_id, receipt, seq]; choice null for a participation on a secret ballot): another
    process's, or read from the log by a catch-up. Each is noted for the reloads under way too
    (`recording`)."""
    for ballot_id, member_id, choice_value, vote_id, receipt, seq in votes:
        choice = from_value(choice_value) if choice_value is not None else None
        ack = Ack(vote_id, ballot_id, choice, receipt, seq)
        if (member_id, vote_id) not in meeting.acks:
            meeting.note_ack(member_id, ack)
        ballot = meeting.ballots.get(ballot_id)
        if ballot is not None and member_id in meeting.seats:
            ballot.apply_committed(member_id, choice, meeting.seats[member_id].weight, seq)
        for recorder in recorders:
            recorder.append((ballot_id, member_id, choice, ack))


async def prepare(
    database: Database, meeting: LiveMeeting | None, event: LiveEvent, kiosks: KioskLinks
) -> Change:
    """Read what the event changed; answer the change to make to the read model."""
    if meeting is None:
        return _nothing
    async with database.transaction(readonly=True) as session:
        if isinstance(event, BallotChanged):
            ballot = await session.get(Ballot, event.ballot_id)
            if ballot is None and event.ballot_id in meeting.ballots:  # a draft deleted (SPEC 2.7)
                return lambda applied: _ballot_deleted(meeting, event.ballot_id)
            if ballot is None or ballot.meeting_id != meeting.id:
                return _nothing
            live = await repository.load_ballot(session, ballot, meeting.seats)
            return lambda applied: _ballot_changed(meeting, live, applied, kiosks)
        if isinstance(event, PassChanged):
            pass_ = await session.get(Pass, event.pass_id)
            if pass_ is None or pass_.meeting_id != meeting.id:
                return _nothing
            loaded = repository.active_pass(pass_)
            active = pass_.status == "active"
            return lambda applied: _pass_changed(meeting, loaded, active, kiosks)
    return _nothing


def _ballot_changed(
    meeting: LiveMeeting, live: LiveBallot, applied: list[Applied], kiosks: KioskLinks
) -> None:
    for ballot_id, member_id, choice, ack in applied:
        if ballot_id == live.id:
            live.apply_committed(member_id, choice, meeting.seats[member_id].weight, ack.seq)
    previous = meeting.ballots.get(live.id)
    meeting.ballots[live.id] = live
    was_open = previous is not None and previous.status is BallotStatus.OPEN
    # A secret result the chair released reaches the handhelds as it reaches the screens.
    released = previous is not None and not previous.released and live.released
    # A result voided after its close is withdrawn on the handhelds too (SPEC 2.7).
    if was_open or released or live.status in (BallotStatus.OPEN, BallotStatus.VOIDED):
        kiosks.broadcast({"type": "ballot", "ballot": kiosk_ballot(live)})
    if was_open and live.status is not BallotStatus.OPEN:
        meeting.retire_acks()


def _ballot_deleted(meeting: LiveMeeting, ballot_id: int) -> None:
    meeting.ballots.pop(ballot_id, None)


def _pass_changed(meeting: LiveMeeting, loaded: ActivePass, active: bool, kiosks: KioskLinks) -> None:
    if active:
        replaced = meeting.add_pass(loaded)
        stale = [
            link
            for link in kiosks.of(loaded.pass_id)
            if replaced is not None and link.active.token_hash == replaced.token_hash
        ]
    else:
        meeting.end_pass(loaded.pass_id)
        meeting.ended_passes.add(loaded.token_hash)
        stale = kiosks.of(loaded.pass_id)
    for link in stale:
        link.revoke()


def _nothing(applied: list[Applied]) -> None:
    return None

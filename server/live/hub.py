"""The live hub of one process: the read model, the vote writer, the feed and the kiosks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import orjson

from server.ballots.models import Ballot
from server.db import Database
from server.desk.models import Pass
from server.errors import BallotNotOpen, ChangeNotAllowed, NotEligible, UnknownBallot
from server.live import repository
from server.live.events import BallotChanged, LiveEvent, MeetingChanged, PassChanged
from server.live.feed import FeedPublisher
from server.live.schemas import kiosk_ballot
from server.live.snapshot import snapshot
from server.live.state import Ack, ActivePass, LiveMeeting
from server.live.writer import VoteRequest, VoteWriter
from server.rules import BallotStatus, Choice

log = logging.getLogger(__name__)

CLOSE_REVOKED = 4403
CLOSE_GOING_AWAY = 1001
OUTBOX_LIMIT = 64


class KioskLink:
    """What the hub knows of one kiosk connection: its pass and an outbox its sender drains."""

    def __init__(self, active: ActivePass) -> None:
        self.active = active
        self.outbox: asyncio.Queue[str | int] = asyncio.Queue(maxsize=OUTBOX_LIMIT)

    def send(self, message: dict[str, Any]) -> None:
        self._put(orjson.dumps(message).decode())

    def send_text(self, text: str) -> None:
        self._put(text)

    def close(self, code: int) -> None:
        """Queue a close; the sender sends everything before it, then closes with `code`."""
        try:
            self.outbox.put_nowait(code)
        except asyncio.QueueFull:
            self._drop()

    def _put(self, item: str) -> None:
        try:
            self.outbox.put_nowait(item)
        except asyncio.QueueFull:
            self._drop()

    def _drop(self) -> None:
        # A kiosk that does not read its messages is cut off; it reconnects and is welcomed anew.
        while not self.outbox.empty():
            self.outbox.get_nowait()
        self.outbox.put_nowait(1008)


class LiveHub:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.meeting: LiveMeeting | None = None
        self.writer = VoteWriter(database, lambda: self.meeting, self._votes_committed)
        self.feed = FeedPublisher(self._build_snapshot)
        self._links: dict[int, set[KioskLink]] = {}
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self.reload()
        self.writer.start()
        self.feed.start()

    async def stop(self) -> None:
        await self.writer.stop()
        await self.feed.stop()
        for link in self.links():
            link.close(CLOSE_GOING_AWAY)

    async def reload(self) -> None:
        """Rebuild the read model of the open meeting from the database."""
        async with self.database.transaction(readonly=True) as session:
            self.meeting = await repository.load_open_meeting(session)

    def _build_snapshot(self, version: int, chair: bool) -> dict[str, Any]:
        return snapshot(self.meeting, version, chair=chair)

    def _votes_committed(self) -> None:
        self.feed.mark_dirty()

    # Kiosk connections

    def links(self) -> list[KioskLink]:
        return [link for links in self._links.values() for link in links]

    def attach(self, link: KioskLink) -> None:
        self._links.setdefault(link.active.pass_id, set()).add(link)

    def detach(self, link: KioskLink) -> None:
        links = self._links.get(link.active.pass_id)
        if links is not None:
            links.discard(link)
            if not links:
                del self._links[link.active.pass_id]

    def pass_by_token_hash(self, token_hash: str) -> ActivePass | bool | None:
        """The active pass, False for a pass that ended, None for an unknown one."""
        meeting = self.meeting
        if meeting is None:
            return None
        active = meeting.passes.get(token_hash)
        if active is not None:
            return active
        return False if token_hash in meeting.ended_passes else None

    def welcome(self, active: ActivePass) -> dict[str, Any]:
        meeting = self.meeting
        assert meeting is not None
        seat = meeting.seats[active.member_id]
        ballot = meeting.open_ballot
        vote = ballot.choices.get(active.member_id) if ballot is not None else None
        return {
            "type": "welcome",
            "member": {"code": seat.code, "name": seat.name, "weight": seat.weight},
            "ballot": kiosk_ballot(ballot),
            "vote": vote.value if vote is not None else None,
        }

    # The vote path

    async def vote(self, active: ActivePass, ballot_id: int, choice: Choice, vote_id: str) -> Ack:
        """Check from memory what can be checked cheaply, then let the writer commit (SPEC 4.2)."""
        meeting = self.meeting
        if meeting is None or meeting.active_pass(active.pass_id) is None:
            raise NotEligible("this pass is not active")
        known = meeting.acks.get((active.member_id, vote_id))
        if known is not None:
            return known
        ballot = meeting.ballots.get(ballot_id)
        if ballot is None:
            raise UnknownBallot(f"ballot {ballot_id} is not a ballot of this meeting")
        if ballot.status is not BallotStatus.OPEN:
            raise BallotNotOpen(f"ballot {ballot_id} is {ballot.status.value}")
        if not ballot.allow_change and active.member_id in ballot.choices:
            raise ChangeNotAllowed("this ballot does not allow changing a vote")
        request = VoteRequest(ballot_id, active.member_id, active.pass_id, vote_id, choice)
        return await self.writer.submit(request)

    # After an operator's commit

    async def after_commit(self, events: Iterable[LiveEvent]) -> None:
        async with self._lock:
            for event in events:
                try:
                    await self._apply(event)
                except Exception:
                    log.exception("live: applying %s failed; reloading the read model", event)
                    await self.reload()
        # Operator changes are human-paced: show them at once rather than on the next tick, so
        # that a client reading the feed after the chair's answer sees the change.
        self.feed.refresh()

    async def _apply(self, event: LiveEvent) -> None:
        if isinstance(event, MeetingChanged):
            before = self.meeting
            await self.reload()
            if before is not None and (self.meeting is None or self.meeting.id != before.id):
                for link in self.links():
                    link.send({"type": "revoked"})
                    link.close(CLOSE_REVOKED)
            return
        meeting = self.meeting
        if meeting is None:
            return
        async with self.database.transaction(readonly=True) as session:
            if isinstance(event, BallotChanged):
                ballot = await session.get(Ballot, event.ballot_id)
                if ballot is None or ballot.meeting_id != meeting.id:
                    return
                previous = meeting.ballots.get(ballot.id)
                live = await repository.load_ballot(session, ballot, meeting.seats)
                meeting.ballots[ballot.id] = live
                was_open = previous is not None and previous.status is BallotStatus.OPEN
                if was_open or live.status is BallotStatus.OPEN:
                    self._broadcast({"type": "ballot", "ballot": kiosk_ballot(live)})
            elif isinstance(event, PassChanged):
                pass_ = await session.get(Pass, event.pass_id)
                if pass_ is None or pass_.meeting_id != meeting.id:
                    return
                if pass_.status == "active":
                    replaced = meeting.add_pass(repository.active_pass(pass_))
                    stale = [
                        link
                        for link in self._links.get(pass_.id, ())
                        if replaced is not None and link.active.token_hash == replaced.token_hash
                    ]
                else:
                    meeting.end_pass(pass_.id)
                    meeting.ended_passes.add(pass_.token_hash)
                    stale = list(self._links.get(pass_.id, ()))
                for link in stale:
                    link.send({"type": "revoked"})
                    link.close(CLOSE_REVOKED)

    def _broadcast(self, message: dict[str, Any]) -> None:
        text = orjson.dumps(message).decode()
        for link in self.links():
            link.send_text(text)

"""The live hub of one process: the read model, the vote writer, the feed and the kiosks.

The hub wires the parts and answers the kiosk handler and the operators' commits:

- `server/live/links.py`: the kiosk connections, and one live connection per pass across
  processes (`KioskLinks`, `hub.kiosks`);
- `server/live/read_model.py`: changing the read model with committed votes and operator changes;
- `server/live/sync.py`: the read model's place in the log (the feed version), reload, rebuild
  and catch-up from the log (`LogSync`, `hub.sync`); `log_entries.py`: what a catch-up reads;
- `server/live/writer.py`, `feed.py`, `fanout.py`: the vote writer, the feed, the Redis fan-out.

Here: start and stop, the vote path's checks from memory, the welcome, an operator's commit, and
the fan-out's messages between processes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from server.db import Database
from server.errors import (
    BadMessage,
    BallotNotOpen,
    ChangeNotAllowed,
    NotEligible,
    Unavailable,
    UnknownBallot,
    VoteIdReused,
)
from server.live import read_model
from server.live.collector import CollectorPolicy
from server.live.events import BallotChanged, LiveEvent, MeetingChanged, PassChanged
from server.live.fanout import RedisFanout
from server.live.feed import FeedPublisher
from server.live.links import CLOSE_SERVICE_RESTART, KioskLinks, PassRefused
from server.live.schemas import kiosk_ballot
from server.live.sealed import SealedKeys, seal_vote
from server.live.snapshot import snapshot
from server.live.state import Ack, ActivePass, LiveBallot, LiveMeeting
from server.live.sync import LogSync
from server.live.writer import Applied, Spans, VoteRequest, VoteWriter
from server.rules import BallotStatus, VoteChoice
from server.rules import vote_choice as choices
from server.secret.hardening import forbid_core_dumps

log = logging.getLogger(__name__)


class LiveHub:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.meeting: LiveMeeting | None = None
        self.writer = VoteWriter(database, lambda: self.meeting, self._votes_committed)
        self.feed = FeedPublisher(self._build_snapshot, version=self.feed_version)
        self.lock = asyncio.Lock()  # one change of the read model at a time
        self.collector = CollectorPolicy()
        self.fanout: RedisFanout | None = None
        self.running = False  # started and not stopping: /readyz
        self._started = False  # start() was called and stop() not yet
        self.kiosks = KioskLinks(lambda: self.fanout)
        self.sync = LogSync(self)
        self.sealed = SealedKeys()  # the keys of the secret ballots opened or unlocked here
        self._closing: set[asyncio.Task[None]] = set()  # closes other processes asked of this one
        self._lookups: set[asyncio.Future[Ack]] = set()  # resends answered from the log

    def fan_out(self, redis_url: str, channel: str) -> None:
        """Share committed changes with the other server processes through Redis (before start)."""
        self.fanout = RedisFanout(redis_url, channel, self._remote, self._fanout_resync)
        self.kiosks.origin = self.fanout.origin

    async def start(self) -> None:
        self._started = True  # from here on stop() cleans up, also after a start that failed
        forbid_core_dumps()  # this process may hold a secret ballot's key (DESIGN.md)
        await self.sync.reload()
        self.collector.start()
        self.track_open_ballot()
        self.writer.start()
        self.feed.start()
        if self.fanout is not None:
            self.fanout.start()
        self.sync.start()
        self.running = True

    async def stop(self) -> None:
        """Shut down without losing an ack: refuse new votes, commit the queued ones, let their
        acks go out, then close every kiosk and screen with 1012 so that they reconnect."""
        if not self._started:
            return
        self._started = False
        self.running = False
        await self.sync.stop()
        await self.writer.stop()
        if self._lookups:  # resends being looked up in the log: their answers go out too
            await asyncio.gather(*self._lookups, return_exceptions=True)
        await asyncio.sleep(0)  # the vote tasks woken by the last commit queue their acks
        if self.fanout is not None:
            for link in self.kiosks.all():  # closed below: a hello elsewhere need not wait for them
                self.kiosks.tell_end(link)
            self.kiosks.tell_now()
            await self.fanout.stop()
        await self.feed.stop()
        self.collector.stop()
        for link in self.kiosks.all():
            link.close(CLOSE_SERVICE_RESTART)

    async def disconnected(self) -> None:
        """Wait until every kiosk connection has ended (after stop())."""
        await self.kiosks.disconnected()

    @property
    def head(self) -> int:
        """The open meeting's log seq up to which the read model has every committed change."""
        return self.sync.head

    def feed_version(self) -> int:
        """The version of the feed's current state; every process names the same state alike."""
        return self.sync.feed_version()

    def pass_by_token_hash(self, token_hash: str) -> ActivePass | PassRefused:
        """The active pass, or why a hello with this pass is refused (and closed with which code)."""
        meeting = self.meeting
        if meeting is None:
            return PassRefused.UNKNOWN
        active = meeting.passes.get(token_hash)
        if active is not None:
            return active
        if token_hash not in meeting.ended_passes:
            return PassRefused.UNKNOWN
        return PassRefused.MEETING_CLOSED if meeting.closed else PassRefused.ENDED

    def welcome(self, active: ActivePass) -> dict[str, Any]:
        meeting = self.meeting
        assert meeting is not None
        seat = meeting.seats[active.member_id]
        ballot = meeting.open_ballot
        if ballot is not None and ballot.secret:  # SPEC 2.9: whether it voted, never what
            return {
                "type": "welcome",
                "member": {"code": seat.code, "name": seat.name, "weight": seat.weight},
                "ballot": kiosk_ballot(ballot),
                "vote": None,
                "voted": ballot.has_voted(active.member_id),
            }
        vote = ballot.choices.get(active.member_id) if ballot is not None else None
        return {
            "type": "welcome",
            "member": {"code": seat.code, "name": seat.name, "weight": seat.weight},
            "ballot": kiosk_ballot(ballot),
            "vote": choices.value(vote) if vote is not None else None,
        }

    # The vote path

    async def vote(
        self,
        active: ActivePass,
        ballot_id: int,
        choice: VoteChoice,
        vote_id: str,
        secret: str | None = None,
    ) -> Ack:
        """Check from memory what can be checked cheaply, then let the writer commit (SPEC 4.2)."""
        outcome = self.queue_vote(active, ballot_id, choice, vote_id, secret)
        return outcome if isinstance(outcome, Ack) else await outcome

    def queue_vote(
        self,
        active: ActivePass,
        ballot_id: int,
        choice: VoteChoice,
        vote_id: str,
        secret: str | None = None,
    ) -> Ack | asyncio.Future[Ack]:
        """`vote` without the wait: the ack of a resend at once, else the future the writer
        resolves with the ack (or a domain error) once the vote is committed; a vote refused
        from memory raises. A vote_id that may be of a vote on a ballot closed since is looked
        up in the log first (memory keeps the acks of the open ballots only). The kiosk socket waits on the future with a callback, not a task per
        vote (ten thousand votes in flight in a burst: issue 16).

        A vote on a secret ballot is sealed here, before it is queued: the writer and everything
        after it see a tag and a box, never the choice (server.live.sealed)."""
        meeting = self.meeting
        if meeting is None or meeting.active_pass(active.pass_id) is None:
            raise NotEligible("this pass is not active")
        known = meeting.acks.get((active.member_id, vote_id))
        if known is not None:
            return _resent(known, ballot_id, choice, vote_id)
        if meeting.may_have_answered(active.member_id, vote_id):
            # A vote on a ballot that has closed since: its ack is in the log, not in memory.
            lookup = asyncio.ensure_future(self._resend_from_log(active, ballot_id, choice, vote_id, secret))
            self._lookups.add(lookup)
            lookup.add_done_callback(self._lookups.discard)
            return lookup
        return self._queue_new(meeting, active, ballot_id, choice, vote_id, secret)

    async def _resend_from_log(
        self, active: ActivePass, ballot_id: int, choice: VoteChoice, vote_id: str, secret: str | None
    ) -> Ack:
        try:
            known = await self.writer.stored_ack(active.member_id, vote_id)
        except Exception as error:
            # The database away (restarting): a refusal the kiosk resends on, as the writer's.
            log.warning("live: could not look up vote_id %r in the log (%s)", vote_id, error)
            raise Unavailable("the vote could not be looked up; send it again") from error
        if known is not None:
            return _resent(known, ballot_id, choice, vote_id)
        meeting = self.meeting  # a hash that collided: a new vote after all
        if meeting is None or meeting.active_pass(active.pass_id) is None:
            raise NotEligible("this pass is not active")
        outcome = self._queue_new(meeting, active, ballot_id, choice, vote_id, secret)
        return outcome if isinstance(outcome, Ack) else await outcome

    def _queue_new(
        self,
        meeting: LiveMeeting,
        active: ActivePass,
        ballot_id: int,
        choice: VoteChoice,
        vote_id: str,
        secret: str | None,
    ) -> asyncio.Future[Ack]:
        ballot = meeting.ballots.get(ballot_id)
        if ballot is None:
            raise UnknownBallot(f"ballot {ballot_id} is not a ballot of this meeting")
        if ballot.secret and secret is None:
            raise BadMessage("secret: a vote on a secret ballot carries its secret")
        if not ballot.secret and secret is not None:
            raise BadMessage("secret: only a vote on a secret ballot carries a secret")
        if ballot.status is not BallotStatus.OPEN:
            raise BallotNotOpen(f"ballot {ballot_id} is {ballot.status.value}")
        _check_fits(ballot, choice)
        if not ballot.allow_change and ballot.has_voted(active.member_id):
            raise ChangeNotAllowed("this ballot does not allow changing a vote")
        if ballot.secret:
            sealed = seal_vote(ballot, choice, secret)
            request = VoteRequest(ballot_id, active.member_id, active.pass_id, vote_id, None, sealed=sealed)
        else:
            request = VoteRequest(ballot_id, active.member_id, active.pass_id, vote_id, choice)
        return self.writer.queue(request)

    # After an operator's commit

    async def after_commit(
        self, events: Iterable[LiveEvent], *, remote: bool = False, spans: Spans | None = None
    ) -> None:
        """Bring the read model up to date with an operator's committed change (this process's,
        or, `remote`, another's through the fan-out; a local one is passed on to the others).

        Everything is read first and then changed in one go, with no await in between, so that
        no screen ever sees half of a change (a hand-over is a revocation and a new pass).
        """
        events = list(events)
        if self.fanout is not None and not remote and (events or spans):
            self.fanout.publish("e", e=[_event_ref(event) for event in events], s=_span_list(spans))
        if not events:
            self.sync.advance(spans)  # a change that shows nowhere (a card issued, a pass paired)
            self.feed.refresh()
            return
        async with self.lock:
            try:
                if any(isinstance(event, MeetingChanged) for event in events):
                    await self.sync.meeting_changed()
                else:
                    with read_model.recording(self.writer) as applied:
                        changes = [
                            await read_model.prepare(self.database, self.meeting, event, self.kiosks)
                            for event in events
                        ]
                        for change in changes:
                            change(applied)
            except Exception:
                log.exception("live: applying %s failed; reloading the read model", events)
                try:
                    await self.sync.reload()
                except Exception as error:
                    # The model lacks this change: the head must not claim it. The rebuild
                    # that follows sets the head from the database.
                    log.warning("live: reloading the read model failed (%s); trying again", error)
                    self.sync.rebuild_later()
                    spans = None
            self.sync.advance(spans)
        self.track_open_ballot()
        # Operator changes are human-paced: show them at once rather than on the next tick, so
        # that a client reading the feed after the chair's answer sees the change.
        self.feed.refresh()

    def track_open_ballot(self) -> None:
        self.collector.ballot_open(self.meeting is not None and self.meeting.open_ballot is not None)

    def _build_snapshot(self, version: int, chair: bool) -> dict[str, Any]:
        return snapshot(self.meeting, version, chair=chair)

    # Between processes (through the fan-out)

    def _votes_committed(self, applied: list[Applied], spans: Spans) -> None:
        self.feed.mark_dirty()
        if self.fanout is not None and (applied or spans):
            self.fanout.publish(
                "v",
                # A participation goes out without a choice (null): there is none to send.
                v=[
                    [b, m, choices.value(c) if c is not None else None, ack.vote_id, ack.receipt, ack.seq]
                    for b, m, c, ack in applied
                ],
                s=_span_list(spans),
            )
        self.sync.advance(spans)

    async def _remote(self, message: dict[str, Any]) -> None:
        spans = {int(chain): (int(first), int(last)) for chain, first, last in message.get("s", [])}
        if message.get("k") == "v":
            self._remote_votes(message["v"])
            self.sync.advance(spans)
        elif message.get("k") == "e":
            events = [_event(kind, int(ident)) for kind, ident in message["e"]]
            await self.after_commit(events, remote=True, spans=spans)
        elif message.get("k") == "h":
            self.kiosks.remote_hellos(str(message["o"]), message["h"])
        elif message.get("k") == "x":
            self.kiosks.remote_ends(str(message["o"]), message["x"])
        elif message.get("k") == "c" and int(message["b"]) in self.sealed:
            # Another process was asked to close a secret ballot whose key lives here.
            task = asyncio.create_task(self._close_held(int(message["b"])), name="live-secret-close")
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    def _remote_votes(self, votes: list[list[Any]]) -> None:
        meeting = self.meeting
        if meeting is None:
            return
        read_model.apply_votes(meeting, votes, self.writer.recorders)
        self.feed.mark_dirty()

    async def _close_held(self, ballot_id: int) -> None:
        from server.ballots.sealed_close import close_held  # the ballots area imports the hub's parts

        try:
            await close_held(self, ballot_id)
        except Exception as error:  # the asking process answers the chair 409 after its wait
            log.warning("live: could not close secret ballot %d for another process (%s)", ballot_id, error)

    async def _fanout_resync(self) -> None:
        """The fan-out is back, or another process missed messages: rebuild, and tell the others
        again which connections live here (hellos may have been lost: SPEC 4.2 item 5)."""
        self.kiosks.tell_again()
        await self.sync.resync()


def _resent(known: Ack, ballot_id: int, choice: VoteChoice, vote_id: str) -> Ack:
    """The ack of a vote sent again with its vote_id; refused if the vote_id was used otherwise."""
    # On a secret ballot the server keeps no choice to compare: the ballot decides.
    same = known.ballot_id == ballot_id and (known.choice is None or known.choice == choice)
    if not same:
        raise VoteIdReused(f"vote_id {vote_id!r} was used for another ballot or choice")
    return known


def _check_fits(ballot: LiveBallot, choice: VoteChoice) -> None:
    """Refuse a choice that does not belong on the ballot (SPEC 4.2, docs/SECRET_BALLOTS.md):
    a candidate on a yes/no ballot, for or against in an election, a stranger to its candidates."""
    election = ballot.election_ids
    if choices.fits(choice, election):
        return
    named = f"ballot {ballot.id} ({ballot.agenda} {ballot.title!r})"
    if election is None:
        raise BadMessage(f"{named} is a yes/no vote: choose for, against or abstain, not {choice!r}")
    raise BadMessage(
        f"{named} is an election: choose one of its candidates {list(election)} or abstain, "
        f"not {choices.value(choice)!r}"
    )


def _span_list(spans: Spans | None) -> list[list[int]]:
    return [[chain, first, last] for chain, (first, last) in (spans or {}).items()]


def _event_ref(event: LiveEvent) -> list[Any]:
    if isinstance(event, MeetingChanged):
        return ["m", event.meeting_id]
    if isinstance(event, BallotChanged):
        return ["b", event.ballot_id]
    return ["p", event.pass_id]


def _event(kind: str, ident: int) -> LiveEvent:
    if kind == "m":
        return MeetingChanged(ident)
    if kind == "b":
        return BallotChanged(ident)
    if kind == "p":
        return PassChanged(ident)
    raise ValueError(f"unknown event kind {kind!r}")

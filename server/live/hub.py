"""The live hub of one process: the read model, the vote writer, the feed and the kiosks."""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

from server.audit import entries
from server.ballots.models import Ballot
from server.db import Database
from server.desk.models import Pass
from server.errors import BallotNotOpen, ChangeNotAllowed, NotEligible, UnknownBallot, VoteIdReused
from server.live import repository
from server.live.collector import CollectorPolicy
from server.live.events import BallotChanged, LiveEvent, MeetingChanged, PassChanged
from server.live.fanout import RedisFanout
from server.live.feed import FeedPublisher
from server.live.schemas import kiosk_ballot
from server.live.snapshot import snapshot
from server.live.state import Ack, ActivePass, LiveBallot, LiveMeeting
from server.live.writer import Applied, Spans, VoteRequest, VoteWriter
from server.rules import BallotStatus, Choice

log = logging.getLogger(__name__)

CLOSE_REVOKED = 4403
# SPEC 4.2 item 5: a newer hello with the same pass took over; the handheld stops (no reconnect).
CLOSE_REPLACED = 4409
CLOSE_MEETING_CLOSED = 4410  # SPEC 4.2 item 7: the handheld says so and does not reconnect
CLOSE_SERVICE_RESTART = 1012  # the kiosk and the screens reconnect (to this server's successor)
OUTBOX_LIMIT = 64
REBUILD_FIRST, REBUILD_MAX = 0.5, 5.0  # seconds between tries to rebuild with the database away
# A feed version is the log position of the state it shows: the meeting's feed epoch (the
# order in which meetings opened) * VERSION_BASE + the seq of the meeting's last log entry that
# the state reflects (README "Feed versions").
VERSION_BASE = 1_000_000_000
GAP_WAIT = 1.0  # seconds a later commit may wait for an earlier one before a reload
ALONE_WAIT = 0.05  # the same without a fan-out: nothing but the log can fill the gap
CATCH_UP_LIMIT = 10_000  # log entries read to fill a gap; more, and the hub rebuilds instead
# Without a working fan-out the hub looks at the log head this often (seconds): every quarter
# second with Redis configured but away, every second for a single process (which learns of a
# command-line tool's change that way).
WATCH_ALONE, WATCH_SINGLE = 0.25, 1.0
# How long (seconds) a hello waits for another process to let go of the same pass (its older
# connection's votes in flight settled) before it is welcomed anyway: that process is gone, or
# slow; a takeover normally takes one fan-out round trip.
HANDOVER_WAIT = 2.0
# What catch_up does with each log entry type: votes are applied as they are; these change
# nothing the screens show; these name a ballot or a pass to read again; any other (a change of
# the meeting itself) makes the hub rebuild.
_UNSHOWN = frozenset({entries.CARD_ISSUED, entries.PASS_PAIRING_CODE})
_BALLOT_ENTRIES = frozenset({
    entries.BALLOT_CREATED, entries.BALLOT_OPENED, entries.BALLOT_CLOSED,
    entries.BALLOT_ACCLAMATION, entries.BALLOT_WITHDRAWN, entries.BALLOT_HELD,
    entries.BALLOT_EDITED, entries.BALLOT_DELETED, entries.BALLOT_VOIDED,
    entries.BALLOT_COUNTED_BY_HAND, entries.BALLOT_OUT_OF_ORDER, entries.BALLOT_DISSENT,
    entries.BALLOT_COUNTDOWN,
})  # fmt: skip
_PASS_ENTRIES = frozenset({
    entries.PASS_ISSUED, entries.PASS_PAIRED, entries.PASS_ENDED, entries.PASS_RETURNED,
})  # fmt: skip
_READ_AGAIN = _BALLOT_ENTRIES | _PASS_ENTRIES | {entries.VOTE}


Stamp = tuple[int, str]  # when a connection said hello (ns since the epoch) and in which process


class KioskLink:
    """What the hub knows of one kiosk connection: its pass, when it said hello (`stamp`: of two
    connections with one pass the later stamp wins, in every process alike), its votes waiting
    for the writer, and an outbox its sender drains."""

    def __init__(self, active: ActivePass, stamp: Stamp = (0, "")) -> None:
        self.active = active
        self.stamp = stamp
        self.outbox: asyncio.Queue[str | int] = asyncio.Queue(maxsize=OUTBOX_LIMIT)
        self.in_flight: set[asyncio.Task[None]] = set()
        self.replaced = False  # a newer connection took the pass: take no more votes
        self.closing = False  # a close is queued
        self.release: asyncio.Task[None] | None = None  # letting go of the pass (see LiveHub)
        self.ended = False  # its end was told to the other processes

    def send(self, message: dict[str, Any]) -> None:
        self._put(orjson.dumps(message).decode())

    def send_text(self, text: str) -> None:
        self._put(text)

    def close(self, code: int) -> None:
        """Queue a close; the sender sends everything before it, then closes with `code`."""
        self.closing = True
        try:
            self.outbox.put_nowait(code)
        except asyncio.QueueFull:
            self._drop(code)

    def _put(self, item: str) -> None:
        try:
            self.outbox.put_nowait(item)
        except asyncio.QueueFull:
            self._drop()

    def _drop(self, code: int = 1008) -> None:
        self.closing = True
        # A kiosk that does not read its messages is cut off; it reconnects and is welcomed anew.
        # A close already decided (4403 revoked) is kept, so the handheld learns the real reason.
        while not self.outbox.empty():
            item = self.outbox.get_nowait()
            if isinstance(item, int) and code == 1008:
                code = item
        self.outbox.put_nowait(code)


class LiveHub:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.meeting: LiveMeeting | None = None
        self.writer = VoteWriter(database, lambda: self.meeting, self._votes_committed)
        self.feed = FeedPublisher(self._build_snapshot, version=self.feed_version)
        # The open meeting's log seq up to which the read model has every committed change, the
        # commits seen past a gap (first -> last seq), and the version shown with no meeting open.
        self.head = 0
        self._ahead: dict[int, int] = {}
        self._span_recorders: list[list[Spans | None]] = []  # reloads under way note spans here
        self._gap: asyncio.TimerHandle | None = None
        self._gap_task: asyncio.Task[None] | None = None  # the catch-up under way, if any
        self._idle_version = 0
        self._links: dict[int, set[KioskLink]] = {}
        self._lock = asyncio.Lock()
        self.collector = CollectorPolicy()
        self.fanout: RedisFanout | None = None
        self.running = False  # started and not stopping: /readyz
        self._started = False  # start() was called and stop() not yet
        self._rebuilding: asyncio.Task[None] | None = None  # a rebuild waiting for the database
        self._watch: asyncio.Task[None] | None = None  # the log watch without a working fan-out
        # One live connection per pass across processes: the newest hello other processes told
        # of, per pass, while that connection lives; and the hellos waiting for them to let go.
        self._origin = uuid.uuid4().hex
        self._last_stamp = 0
        self._remote_live: dict[int, Stamp] = {}
        self._let_go: dict[int, asyncio.Event] = {}
        # Hellos and ends to tell, gathered over one turn of the loop into one message each (a
        # hall of handhelds connects at once).
        self._hellos: list[list[int]] = []
        self._ends: list[list[int]] = []
        self._telling = False

    def fan_out(self, redis_url: str, channel: str) -> None:
        """Share committed changes with the other server processes through Redis (before start)."""
        self.fanout = RedisFanout(redis_url, channel, self._remote, self._fanout_resync)
        self._origin = self.fanout.origin

    async def start(self) -> None:
        self._started = True  # from here on stop() cleans up, also after a start that failed
        await self.reload()
        self.collector.start()
        self._track_open_ballot()
        self.writer.start()
        self.feed.start()
        if self.fanout is not None:
            self.fanout.start()
        self._watch = asyncio.create_task(self._watch_log(), name="live-log-watch")
        self.running = True

    async def stop(self) -> None:
        """Shut down without losing an ack: refuse new votes, commit the queued ones, let their
        acks go out, then close every kiosk and screen with 1012 so that they reconnect."""
        if not self._started:
            return
        self._started = False
        self.running = False
        if self._gap is not None:
            self._gap.cancel()
            self._gap = None
        if self._gap_task is not None:
            self._gap_task.cancel()
            await asyncio.gather(self._gap_task, return_exceptions=True)
        for task in (self._rebuilding, self._watch):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.writer.stop()
        await asyncio.sleep(0)  # the vote tasks woken by the last commit queue their acks
        if self.fanout is not None:
            for link in self.links():  # closed below: a hello elsewhere need not wait for them
                self._tell_end(link)
            self._tell_now()
            await self.fanout.stop()
        await self.feed.stop()
        self.collector.stop()
        for link in self.links():
            link.close(CLOSE_SERVICE_RESTART)

    async def disconnected(self) -> None:
        """Wait until every kiosk connection has ended (after stop())."""
        while self._links:  # noqa: ASYNC110 - a kiosk handler ends on its own, and rarely
            await asyncio.sleep(0.01)

    async def reload(self) -> None:
        """Rebuild the read model of the open meeting from the database.

        Votes the writer commits while the reload reads are recorded and replayed onto the new
        model before it replaces the old one, so no committed vote goes missing (invariant 5).
        """
        with self._recording() as applied, self._recording_spans() as spans:
            async with self.database.transaction(readonly=True) as session:
                if self.database.dialect == "postgresql":
                    # One snapshot for the position and the state, so that a state never shows
                    # a commit past the position it is labelled with (READ COMMITTED would take
                    # a snapshot per statement). SQLite's read transaction is one snapshot.
                    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                # The log position first: the state read after it has at least what it names.
                position = await repository.log_position(session)
                meeting = await repository.load_followed_meeting(session)
            if meeting is not None:
                _replay(meeting, applied)
            self.meeting = meeting
        following, epoch, head = position
        # The position supersedes every span seen before the reload began (those commits were
        # announced after they committed, so before the position was read). Spans announced
        # while it read are replayed below: the head moves on over them, never back.
        self.head = head if meeting is not None and meeting.id == following else 0
        self._ahead = {}
        self._idle_version = epoch * VERSION_BASE + head if following else 0
        for recorded in spans:
            self._advance(recorded)
        self._drain()

    def feed_version(self) -> int:
        """The version of the feed's current state; every process names the same state alike."""
        meeting = self.meeting
        return meeting.epoch * VERSION_BASE + self.head if meeting is not None else self._idle_version

    def _advance(self, spans: Spans | None) -> None:
        """Note a commit's log span: the feed version moves on once every earlier commit of the
        meeting is in the read model too. Commits reach a process out of order (two processes
        commit at once; their fan-out messages cross); one still missing after a wait (its
        message lost, Redis away, or written by a command-line tool) is read from the log."""
        for recorder in self._span_recorders:
            recorder.append(spans)
        meeting = self.meeting
        span = spans.get(meeting.id) if spans and meeting is not None else None
        if span is None:
            return
        first, last = span
        if last <= self.head:
            return
        self._ahead[first] = max(last, self._ahead.get(first, 0))
        self._drain()
        self.feed.mark_dirty()

    def _drain(self) -> None:
        """Move the head over the commits that now follow on, and time the gap that remains."""
        if self._ahead:  # most commits arrive in order: nothing to sort out
            self._ahead = {first: last for first, last in self._ahead.items() if last > self.head}
        while self._ahead and (first := min(self._ahead)) <= self.head + 1:
            self.head = max(self.head, self._ahead.pop(first))
        if not self._ahead and self._gap is not None:
            self._gap.cancel()
            self._gap = None
        elif self._ahead and self._gap is None:
            self._gap = asyncio.get_running_loop().call_later(self._gap_wait(), self._gap_expired, self.head)

    @property
    def _fanning_out(self) -> bool:
        """Redis is configured and this process is subscribed: others' commits reach it."""
        return self.fanout is not None and self.fanout.subscribed.is_set()

    def _gap_wait(self) -> float:
        # With the fan-out up, the missing commit is most likely a message on its way. Without
        # it (none configured, or Redis away) nothing will bring it: read the log at once.
        return GAP_WAIT if self._fanning_out else ALONE_WAIT

    def _gap_expired(self, head: int) -> None:
        self._gap = None
        if not self._ahead or not self.running:
            return
        if self.head != head:  # it moved on: give the rest of the gap its own wait
            self._gap = asyncio.get_running_loop().call_later(self._gap_wait(), self._gap_expired, self.head)
            return
        self._catch_up_soon()

    async def catch_up(self) -> None:
        """Read the meeting's log past the head and apply what it holds, as the fan-out would
        have delivered it: the votes this process missed, and the ballots and passes whose
        entries it finds (read again from the database); a change of the meeting itself, or
        more entries than CATCH_UP_LIMIT, makes the hub rebuild its read model instead."""
        try:
            await self._catch_up()
        finally:
            if self.running:
                self._drain()  # a gap still open (committed after the read): a new wait

    async def _catch_up(self) -> None:
        meeting = self.meeting
        if meeting is None:
            return
        seen = dict(self._ahead)  # announced, so committed before the read below
        try:
            async with self.database.transaction(readonly=True) as session:
                missed = await repository.log_after(session, meeting.id, self.head, limit=CATCH_UP_LIMIT)
        except Exception as error:
            log.warning("live: could not read the log (%s); rebuilding from the database", error)
            await self.resync()
            return
        if meeting is not self.meeting:
            return  # a reload replaced the model meanwhile; it set the head itself
        found = _read_entries(missed, meeting) if len(missed) <= CATCH_UP_LIMIT else None
        if found is None:
            log.info("live: the log past seq %d holds a change of the meeting; rebuilding", self.head)
            await self.resync()
            return
        votes, events = found
        self._remote_votes(votes)
        span = {meeting.id: (missed[0].seq, missed[-1].seq)} if missed else None
        if events:
            await self.after_commit(events, remote=True, spans=span)
        else:
            self._advance(span)
        # A span announced before the read yet past the log's end was never committed here (a
        # message from another hall's database on the same channel): forget it.
        end = missed[-1].seq if missed else self.head
        for first, last in seen.items():
            if last > end and self._ahead.get(first) == last:
                log.warning("live: seqs %d-%d were announced but are not in the log; ignored", first, last)
                del self._ahead[first]

    async def _watch_log(self) -> None:
        """Without a working fan-out, look at the log head now and then: a process that commits
        nothing itself would otherwise never learn of another process's (or a command-line
        tool's) changes, not even that a ballot opened."""
        behind = 0  # the log head seen last time: a process that has not reached it since is behind
        while True:
            fanning_out = self._fanning_out
            await asyncio.sleep(WATCH_ALONE if self.fanout is not None else WATCH_SINGLE)
            if fanning_out or not self.running:
                behind = 0
                continue
            try:
                async with self.database.transaction(readonly=True) as session:
                    following, _, head = await repository.log_position(session)
            except Exception as error:
                log.debug("live: could not read the log position (%s)", error)
                continue
            meeting = self.meeting
            if following != (meeting.id if meeting is not None else 0):
                log.info("live: another process opened or closed a meeting; rebuilding")
                await self.resync()
            elif meeting is not None and behind > self.head:
                self._catch_up_soon()  # its own commits did not bring it there: read the log
            behind = head

    def _catch_up_soon(self) -> None:
        if self._gap_task is not None and not self._gap_task.done():
            return  # a catch-up is under way already; it drains the gap or times a new wait
        self._gap_task = asyncio.create_task(self.catch_up(), name="live-catch-up")

    @contextmanager
    def _recording_spans(self) -> Iterator[list[Spans | None]]:
        spans: list[Spans | None] = []
        self._span_recorders.append(spans)
        try:
            yield spans
        finally:
            self._span_recorders.remove(spans)

    @contextmanager
    def _recording(self) -> Iterator[list[Applied]]:
        applied: list[Applied] = []
        self.writer.recorders.append(applied)
        try:
            yield applied
        finally:
            self.writer.recorders.remove(applied)

    def _build_snapshot(self, version: int, chair: bool) -> dict[str, Any]:
        return snapshot(self.meeting, version, chair=chair)

    def _votes_committed(self, applied: list[Applied], spans: Spans) -> None:
        self.feed.mark_dirty()
        if self.fanout is not None and (applied or spans):
            self.fanout.publish(
                "v",
                v=[[b, m, c.value, ack.vote_id, ack.receipt, ack.seq] for b, m, c, ack in applied],
                s=_span_list(spans),
            )
        self._advance(spans)

    # Changes committed by other processes (through the fan-out)

    async def _remote(self, message: dict[str, Any]) -> None:
        spans = {int(chain): (int(first), int(last)) for chain, first, last in message.get("s", [])}
        if message.get("k") == "v":
            self._remote_votes(message["v"])
            self._advance(spans)
        elif message.get("k") == "e":
            events = [_event(kind, int(ident)) for kind, ident in message["e"]]
            await self.after_commit(events, remote=True, spans=spans)
        elif message.get("k") == "h":
            self._remote_hellos(str(message["o"]), message["h"])
        elif message.get("k") == "x":
            self._remote_ends(str(message["o"]), message["x"])

    def _remote_votes(self, votes: list[list[Any]]) -> None:
        meeting = self.meeting
        if meeting is None:
            return
        for ballot_id, member_id, choice_value, vote_id, receipt, seq in votes:
            choice = Choice(choice_value)
            ack = Ack(vote_id, ballot_id, choice, receipt, seq)
            meeting.acks.setdefault((member_id, vote_id), ack)
            ballot = meeting.ballots.get(ballot_id)
            if ballot is not None and member_id in meeting.seats:
                ballot.apply_vote(member_id, choice, meeting.seats[member_id].weight, seq)
            for recorder in self.writer.recorders:
                recorder.append((ballot_id, member_id, choice, ack))
        self.feed.mark_dirty()

    async def _fanout_resync(self) -> None:
        """The fan-out is back, or another process missed messages: rebuild, and tell the others
        again which connections live here (hellos may have been lost: SPEC 4.2 item 5)."""
        self._remote_live.clear()  # the others tell theirs again after their own rebuild
        self._tell_hellos([link for link in self.links() if not link.replaced])
        await self.resync()

    async def resync(self) -> None:
        """Rebuild the read model from the database (this process may have missed changes), and
        tell kiosks whose pass ended meanwhile. Never raises: with the database away (restarting)
        the hub keeps serving from memory and tries again in the background until it answers."""
        try:
            await self._rebuild()
        except Exception as error:
            log.warning("live: could not rebuild the read model (%s); trying again", error)
            self._rebuild_later()

    def _rebuild_later(self) -> None:
        if self._rebuilding is None or self._rebuilding.done():
            self._rebuilding = asyncio.create_task(self._rebuild_until_done(), name="live-rebuild")

    async def _rebuild_until_done(self) -> None:
        delay = REBUILD_FIRST
        while True:
            await asyncio.sleep(delay)
            try:
                await self._rebuild()
            except Exception as error:
                delay = min(delay * 2, REBUILD_MAX)
                log.warning("live: the database still does not answer (%s); next try in %.1f s", error, delay)
            else:
                log.info("live: read model rebuilt from the database")
                return

    async def _rebuild(self) -> None:
        async with self._lock:
            await self._meeting_changed()
            meeting = self.meeting
            for link in self.links():
                if meeting is not None and link.active.token_hash not in meeting.passes:
                    _end_link(link, meeting)
            self._track_open_ballot()
        self.feed.refresh()

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
        self._tell_end(link)

    # One live connection per pass (SPEC 4.2 item 5)

    def stamp(self) -> Stamp:
        """The stamp of a hello said now: later than every earlier one of this process."""
        self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
        return (self._last_stamp, self._origin)

    async def take_over(self, link: KioskLink) -> None:
        """Make `link` (attached) the pass's only live connection before it is welcomed: every
        older connection of the pass, here and (through the fan-out) in other processes, takes
        no more votes, sees the votes it has in flight settle (committed and acked, or refused)
        and is closed with 4409. The welcome that follows then shows the member's current vote."""
        pass_id = link.active.pass_id
        self._tell_hellos([link])
        older = [other for other in self._links.get(pass_id, ()) if other.stamp < link.stamp]
        await asyncio.gather(*(self._replace(other) for other in older))
        remote = self._remote_live.get(pass_id)
        if remote is None or remote >= link.stamp or not self._fanning_out:
            return
        # Another process has a connection of this pass: wait for it to let go (its end comes
        # after the fan-out messages of the votes it had in flight, so the read model has them).
        let_go = self._let_go.setdefault(pass_id, asyncio.Event())
        deadline = time.monotonic() + HANDOVER_WAIT
        while (held := self._remote_live.get(pass_id)) is not None and held < link.stamp:
            try:
                await asyncio.wait_for(let_go.wait(), max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                log.warning("live: process %s did not let go of pass %d in time", held[1][:8], pass_id)
                if self._remote_live.get(pass_id) == held:
                    del self._remote_live[pass_id]
                break
            let_go.clear()
        if self._let_go.get(pass_id) is let_go:
            del self._let_go[pass_id]

    def _replace(self, link: KioskLink) -> asyncio.Task[None]:
        if link.release is None:
            link.release = asyncio.create_task(self._let_go_of(link), name="live-replace")
        return link.release

    async def _let_go_of(self, link: KioskLink) -> None:
        link.replaced = True  # the receiver starts no vote from here on
        await asyncio.gather(*list(link.in_flight), return_exceptions=True)
        link.close(CLOSE_REPLACED)  # after the acks of those votes
        self._tell_end(link)

    def _tell_hellos(self, links: list[KioskLink]) -> None:
        if self.fanout is not None and links:
            self._hellos += [[link.active.pass_id, link.stamp[0]] for link in links]
            self._tell_soon()

    def _tell_end(self, link: KioskLink) -> None:
        if self.fanout is not None and not link.ended:
            self._ends.append([link.active.pass_id, link.stamp[0]])
            self._tell_soon()
        link.ended = True

    def _tell_soon(self) -> None:
        if not self._telling:
            self._telling = True
            asyncio.get_running_loop().call_soon(self._tell_now)

    def _tell_now(self) -> None:
        """Publish the gathered hellos, then the ends (a connection that said hello and ended
        within one turn is told in that order)."""
        self._telling = False
        if self.fanout is None:
            return
        if self._hellos:
            self.fanout.publish("h", h=self._hellos)
            self._hellos = []
        if self._ends:
            self.fanout.publish("x", x=self._ends)
            self._ends = []

    def _remote_hellos(self, origin: str, hellos: list[list[int]]) -> None:
        """Another process welcomes these passes: older connections here let go of them; a
        newer one here is told back, so that the other process closes its own."""
        newer: list[KioskLink] = []
        for pass_id, ns in hellos:
            stamp = (int(ns), origin)
            if stamp > self._remote_live.get(pass_id, (0, "")):
                self._remote_live[pass_id] = stamp
            for link in list(self._links.get(pass_id, ())):
                if link.stamp < stamp:
                    self._replace(link)
                elif not link.replaced:
                    newer.append(link)
        self._tell_hellos(newer)

    def _remote_ends(self, origin: str, ends: list[list[int]]) -> None:
        for pass_id, ns in ends:
            if self._remote_live.get(pass_id) == (int(ns), origin):
                del self._remote_live[pass_id]
                if (let_go := self._let_go.get(pass_id)) is not None:
                    let_go.set()

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
            if (known.ballot_id, known.choice) != (ballot_id, choice):
                raise VoteIdReused(f"vote_id {vote_id!r} was used for another ballot or choice")
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
            self._advance(spans)  # a change that shows nowhere (a card issued, a pass paired)
            self.feed.refresh()
            return
        async with self._lock:
            try:
                if any(isinstance(event, MeetingChanged) for event in events):
                    await self._meeting_changed()
                else:
                    with self._recording() as applied:
                        changes = [await self._prepare(event) for event in events]
                        for change in changes:
                            change(applied)
            except Exception:
                log.exception("live: applying %s failed; reloading the read model", events)
                try:
                    await self.reload()
                except Exception as error:
                    # The model lacks this change: the head must not claim it. The rebuild
                    # that follows sets the head from the database.
                    log.warning("live: reloading the read model failed (%s); trying again", error)
                    self._rebuild_later()
                    spans = None
            self._advance(spans)
        self._track_open_ballot()
        # Operator changes are human-paced: show them at once rather than on the next tick, so
        # that a client reading the feed after the chair's answer sees the change.
        self.feed.refresh()

    def _track_open_ballot(self) -> None:
        self.collector.ballot_open(self.meeting is not None and self.meeting.open_ballot is not None)

    async def _meeting_changed(self) -> None:
        before = self.meeting
        await self.reload()
        after = self.meeting
        if before is None:
            return
        if after is None or after.id != before.id:
            for link in self.links():
                link.send({"type": "revoked"})
                link.close(CLOSE_REVOKED)
        elif after.closed:
            for link in self.links():
                _end_link(link, after)

    async def _prepare(self, event: LiveEvent) -> Callable[[list[Applied]], None]:
        """Read what the event changed; answer the change to make to the read model."""
        meeting = self.meeting
        if meeting is None:
            return _nothing
        async with self.database.transaction(readonly=True) as session:
            if isinstance(event, BallotChanged):
                ballot = await session.get(Ballot, event.ballot_id)
                if ballot is None and event.ballot_id in meeting.ballots:  # a draft deleted (SPEC 2.7)
                    return lambda applied: self._ballot_deleted(meeting, event.ballot_id)
                if ballot is None or ballot.meeting_id != meeting.id:
                    return _nothing
                live = await repository.load_ballot(session, ballot, meeting.seats)
                return lambda applied: self._ballot_changed(meeting, live, applied)
            if isinstance(event, PassChanged):
                pass_ = await session.get(Pass, event.pass_id)
                if pass_ is None or pass_.meeting_id != meeting.id:
                    return _nothing
                loaded = repository.active_pass(pass_)
                active = pass_.status == "active"
                return lambda applied: self._pass_changed(meeting, loaded, active)
        return _nothing

    def _ballot_changed(self, meeting: LiveMeeting, live: LiveBallot, applied: list[Applied]) -> None:
        for ballot_id, member_id, choice, ack in applied:
            if ballot_id == live.id:
                live.apply_vote(member_id, choice, meeting.seats[member_id].weight, ack.seq)
        previous = meeting.ballots.get(live.id)
        meeting.ballots[live.id] = live
        was_open = previous is not None and previous.status is BallotStatus.OPEN
        # A result voided after its close is withdrawn on the handhelds too (SPEC 2.7).
        if was_open or live.status in (BallotStatus.OPEN, BallotStatus.VOIDED):
            self._broadcast({"type": "ballot", "ballot": kiosk_ballot(live)})

    def _ballot_deleted(self, meeting: LiveMeeting, ballot_id: int) -> None:
        meeting.ballots.pop(ballot_id, None)

    def _pass_changed(self, meeting: LiveMeeting, loaded: ActivePass, active: bool) -> None:
        if active:
            replaced = meeting.add_pass(loaded)
            stale = [
                link
                for link in self._links.get(loaded.pass_id, ())
                if replaced is not None and link.active.token_hash == replaced.token_hash
            ]
        else:
            meeting.end_pass(loaded.pass_id)
            meeting.ended_passes.add(loaded.token_hash)
            stale = list(self._links.get(loaded.pass_id, ()))
        for link in stale:
            link.send({"type": "revoked"})
            link.close(CLOSE_REVOKED)

    def _broadcast(self, message: dict[str, Any]) -> None:
        text = orjson.dumps(message).decode()
        for link in self.links():
            link.send_text(text)


class PassRefused(enum.Enum):
    """Why a hello's pass is refused, with the close code the handheld tells apart (SPEC 4.2)."""

    UNKNOWN = 4401
    ENDED = CLOSE_REVOKED  # revoked or checked out at the desk
    MEETING_CLOSED = CLOSE_MEETING_CLOSED


def _end_link(link: KioskLink, meeting: LiveMeeting) -> None:
    """Tell a handheld its pass no longer votes, and why: the meeting closed, or the desk ended it."""
    if meeting.closed:
        link.send({"type": "meeting_closed"})
        link.close(CLOSE_MEETING_CLOSED)
    else:
        link.send({"type": "revoked"})
        link.close(CLOSE_REVOKED)


def _read_entries(
    missed: Sequence[repository.LogRow], meeting: LiveMeeting
) -> tuple[list[list[Any]], list[LiveEvent]] | None:
    """The votes (as fan-out messages carry them) and the changed ballots and passes that log
    entries hold; None when one of them changes the meeting itself."""
    codes = {seat.code: member_id for member_id, seat in meeting.seats.items()}
    votes: list[list[Any]] = []
    events: dict[LiveEvent, None] = {}  # in order, each once
    for entry in missed:
        if entry.type in _UNSHOWN:
            continue
        if entry.type not in _READ_AGAIN:
            return None
        data = orjson.loads(entry.body)["data"]
        if entry.type == entries.VOTE:
            member = codes.get(data["member"])
            if member is not None:
                votes.append([data["ballot"], member, data["choice"], data["vote_id"], entry.hash, entry.seq])
        elif entry.type in _PASS_ENTRIES:
            events[PassChanged(int(data["pass"]))] = None
        else:
            ballot = data["ballot"]
            events[BallotChanged(int(ballot["id"] if isinstance(ballot, dict) else ballot))] = None
    return votes, list(events)


def _span_list(spans: Spans | None) -> list[list[int]]:
    return [[chain, first, last] for chain, (first, last) in (spans or {}).items()]


def _nothing(applied: list[Applied]) -> None:
    return None


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


def _replay(meeting: LiveMeeting, applied: list[Applied]) -> None:
    """Apply votes committed while a reload was reading (idempotent for those it already saw)."""
    for ballot_id, member_id, choice, ack in applied:
        meeting.acks[(member_id, ack.vote_id)] = ack
        ballot = meeting.ballots.get(ballot_id)
        if ballot is not None and member_id in meeting.seats:
            ballot.apply_vote(member_id, choice, meeting.seats[member_id].weight, ack.seq)

"""Keeping the read model in step with the meeting's log: reload and rebuild from the database,
the head (the log position the read model has reached, which is the feed version), the gaps
commits leave when they reach a process out of order, and the catch-up that reads a gap from
the log when no fan-out message fills it (README "Feed versions")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from server.db import Database
from server.live import read_model, repository
from server.live.events import LiveEvent
from server.live.fanout import RedisFanout
from server.live.feed import FeedPublisher
from server.live.links import KioskLinks
from server.live.log_entries import read_entries
from server.live.state import LiveMeeting
from server.live.writer import Spans, VoteWriter

log = logging.getLogger(__name__)

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


class Hub(Protocol):
    """What the sync uses of the live hub that owns it."""

    database: Database
    meeting: LiveMeeting | None
    writer: VoteWriter
    feed: FeedPublisher
    fanout: RedisFanout | None
    kiosks: KioskLinks
    lock: asyncio.Lock  # one change of the read model at a time
    running: bool

    async def after_commit(
        self, events: Iterable[LiveEvent], *, remote: bool = False, spans: Spans | None = None
    ) -> None: ...

    def track_open_ballot(self) -> None: ...


class LogSync:
    """The read model's place in the log, and the ways it catches up with the log."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        # The open meeting's log seq up to which the read model has every committed change, the
        # commits seen past a gap (first -> last seq), and the version shown with no meeting open.
        self.head = 0
        self._ahead: dict[int, int] = {}
        self._span_recorders: list[list[Spans | None]] = []  # reloads under way note spans here
        self._gap: asyncio.TimerHandle | None = None
        self._gap_task: asyncio.Task[None] | None = None  # the catch-up under way, if any
        self._idle_version = 0
        self._rebuilding: asyncio.Task[None] | None = None  # a rebuild waiting for the database
        self._watch: asyncio.Task[None] | None = None  # the log watch without a working fan-out

    def start(self) -> None:
        self._watch = asyncio.create_task(self._watch_log(), name="live-log-watch")

    async def stop(self) -> None:
        """Cancel the waits and tasks under way: the gap's, the catch-up, a rebuild, the watch."""
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

    async def reload(self) -> None:
        """Rebuild the read model of the open meeting from the database.

        Votes the writer commits while the reload reads are recorded and replayed onto the new
        model before it replaces the old one, so no committed vote goes missing (invariant 5).
        """
        hub = self._hub
        with read_model.recording(hub.writer) as applied, self._recording_spans() as spans:
            async with hub.database.transaction(readonly=True) as session:
                if hub.database.dialect == "postgresql":
                    # One snapshot for the position and the state, so that a state never shows
                    # a commit past the position it is labelled with (READ COMMITTED would take
                    # a snapshot per statement). SQLite's read transaction is one snapshot.
                    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                # The log position first: the state read after it has at least what it names.
                position = await repository.log_position(session)
                meeting = await repository.load_followed_meeting(session)
            if meeting is not None:
                read_model.replay(meeting, applied)
            hub.meeting = meeting
        following, epoch, head = position
        # The position supersedes every span seen before the reload began (those commits were
        # announced after they committed, so before the position was read). Spans announced
        # while it read are replayed below: the head moves on over them, never back.
        self.head = head if meeting is not None and meeting.id == following else 0
        self._ahead = {}
        self._idle_version = epoch * VERSION_BASE + head if following else 0
        for recorded in spans:
            self.advance(recorded)
        self._drain()

    def feed_version(self) -> int:
        """The version of the feed's current state; every process names the same state alike."""
        meeting = self._hub.meeting
        return meeting.epoch * VERSION_BASE + self.head if meeting is not None else self._idle_version

    def advance(self, spans: Spans | None) -> None:
        """Note a commit's log span: the feed version moves on once every earlier commit of the
        meeting is in the read model too. Commits reach a process out of order (two processes
        commit at once; their fan-out messages cross); one still missing after a wait (its
        message lost, Redis away, or written by a command-line tool) is read from the log."""
        for recorder in self._span_recorders:
            recorder.append(spans)
        meeting = self._hub.meeting
        span = spans.get(meeting.id) if spans and meeting is not None else None
        if span is None:
            return
        first, last = span
        if last <= self.head:
            return
        self._ahead[first] = max(last, self._ahead.get(first, 0))
        self._drain()
        self._hub.feed.mark_dirty()

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
        fanout = self._hub.fanout
        return fanout is not None and fanout.subscribed.is_set()

    def _gap_wait(self) -> float:
        # With the fan-out up, the missing commit is most likely a message on its way. Without
        # it (none configured, or Redis away) nothing will bring it: read the log at once.
        return GAP_WAIT if self._fanning_out else ALONE_WAIT

    def _gap_expired(self, head: int) -> None:
        self._gap = None
        if not self._ahead or not self._hub.running:
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
            if self._hub.running:
                self._drain()  # a gap still open (committed after the read): a new wait

    async def _catch_up(self) -> None:
        hub = self._hub
        meeting = hub.meeting
        if meeting is None:
            return
        seen = dict(self._ahead)  # announced, so committed before the read below
        try:
            async with hub.database.transaction(readonly=True) as session:
                missed = await repository.log_after(session, meeting.id, self.head, limit=CATCH_UP_LIMIT)
        except Exception as error:
            log.warning("live: could not read the log (%s); rebuilding from the database", error)
            await self.resync()
            return
        if meeting is not hub.meeting:
            return  # a reload replaced the model meanwhile; it set the head itself
        found = read_entries(missed, meeting) if len(missed) <= CATCH_UP_LIMIT else None
        if found is None:
            log.info("live: the log past seq %d holds a change of the meeting; rebuilding", self.head)
            await self.resync()
            return
        votes, events = found
        read_model.apply_votes(meeting, votes, hub.writer.recorders)
        hub.feed.mark_dirty()
        span = {meeting.id: (missed[0].seq, missed[-1].seq)} if missed else None
        if events:
            await hub.after_commit(events, remote=True, spans=span)
        else:
            self.advance(span)
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
            await asyncio.sleep(WATCH_ALONE if self._hub.fanout is not None else WATCH_SINGLE)
            if fanning_out or not self._hub.running:
                behind = 0
                continue
            try:
                async with self._hub.database.transaction(readonly=True) as session:
                    following, _, head = await repository.log_position(session)
            except Exception as error:
                log.debug("live: could not read the log position (%s)", error)
                continue
            meeting = self._hub.meeting
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

    # Rebuilding from the database

    async def resync(self) -> None:
        """Rebuild the read model from the database (this process may have missed changes), and
        tell kiosks whose pass ended meanwhile. Never raises: with the database away (restarting)
        the hub keeps serving from memory and tries again in the background until it answers."""
        try:
            await self._rebuild()
        except Exception as error:
            log.warning("live: could not rebuild the read model (%s); trying again", error)
            self.rebuild_later()

    def rebuild_later(self) -> None:
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
        hub = self._hub
        async with hub.lock:
            await self.meeting_changed()
            meeting = hub.meeting
            for link in hub.kiosks.all():
                if meeting is not None and link.active.token_hash not in meeting.passes:
                    link.end(meeting)
            hub.track_open_ballot()
        hub.feed.refresh()

    async def meeting_changed(self) -> None:
        """Reload; if the meeting is another one now (or none), its handhelds' passes are void;
        if it closed, they are told so."""
        hub = self._hub
        before = hub.meeting
        await self.reload()
        after = hub.meeting
        if before is None:
            return
        if after is None or after.id != before.id:
            for link in hub.kiosks.all():
                link.revoke()
        elif after.closed:
            for link in hub.kiosks.all():
                link.end(after)

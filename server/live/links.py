"""The kiosk connections of one process, and one live connection per pass across processes.

A pass may connect again (a new browser tab, a handheld that lost its network): the newest hello
wins, here and in every other process (SPEC 4.2 item 5). Each hello is stamped; processes tell
each other the hellos and the ends of their connections through the fan-out, and a hello waits
for the older connection's votes in flight to settle before it is welcomed.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from server.live.fanout import RedisFanout
from server.live.state import ActivePass, LiveMeeting

log = logging.getLogger(__name__)

CLOSE_REVOKED = 4403
# SPEC 4.2 item 5: a newer hello with the same pass took over; the handheld stops (no reconnect).
CLOSE_REPLACED = 4409
CLOSE_MEETING_CLOSED = 4410  # SPEC 4.2 item 7: the handheld says so and does not reconnect
CLOSE_SERVICE_RESTART = 1012  # the kiosk and the screens reconnect (to this server's successor)
OUTBOX_LIMIT = 64
# How long (seconds) a hello waits for another process to let go of the same pass (its older
# connection's votes in flight settled) before it is welcomed anyway: that process is gone, or
# slow; a takeover normally takes one fan-out round trip.
HANDOVER_WAIT = 2.0


Stamp = tuple[int, str]  # when a connection said hello (ns since the epoch) and in which process


class PassRefused(enum.Enum):
    """Why a hello's pass is refused, with the close code the handheld tells apart (SPEC 4.2)."""

    UNKNOWN = 4401
    ENDED = CLOSE_REVOKED  # revoked or checked out at the desk
    MEETING_CLOSED = CLOSE_MEETING_CLOSED


class KioskLink:
    """What the hub knows of one kiosk connection: its pass, when it said hello (`stamp`: of two
    connections with one pass the later stamp wins, in every process alike), its votes waiting
    for the writer, and its outbox: the frames (and at last a close code) to send, in order.

    Queuing never waits: a ballot broadcast to ten thousand handhelds must not wait for a slow
    one. The socket that owns the link is told (`wake`) when the outbox gets something, and
    drains it; a kiosk that lets OUTBOX_LIMIT frames pile up is cut off (it reconnects and is
    welcomed anew). The outbox is a plain list, not an asyncio.Queue: ten thousand idle links
    hold no queue machinery and no waiting task (issue 16's memory)."""

    __slots__ = (
        "active",
        "closing",
        "ended",
        "in_flight",
        "outbox",
        "release",
        "replaced",
        "stamp",
        "wake",
    )

    def __init__(self, active: ActivePass, stamp: Stamp = (0, "")) -> None:
        self.active = active
        self.stamp = stamp
        self.outbox: list[str | int] = []  # a few frames at most; a deque would take 0.75 KB
        self.in_flight: set[asyncio.Future[Any]] = set()  # its votes the writer has not answered
        self.replaced = False  # a newer connection took the pass: take no more votes
        self.closing = False  # a close is queued
        self.release: asyncio.Task[None] | None = None  # letting go of the pass (see KioskLinks)
        self.ended = False  # its end was told to the other processes
        self.wake: Callable[[], None] = _nobody  # the socket's: the outbox has something to send

    def send(self, message: dict[str, Any]) -> None:
        self._put(orjson.dumps(message).decode())

    def send_text(self, text: str) -> None:
        self._put(text)

    def close(self, code: int) -> None:
        """Queue a close; the socket sends everything before it, then closes with `code`."""
        self.closing = True
        if len(self.outbox) >= OUTBOX_LIMIT:
            self._drop(code)
        else:
            self.outbox.append(code)
        self.wake()

    def revoke(self) -> None:
        """Tell the handheld its pass was revoked, and close."""
        self.send({"type": "revoked"})
        self.close(CLOSE_REVOKED)

    def end(self, meeting: LiveMeeting) -> None:
        """Tell the handheld its pass no longer votes, and why: the meeting closed, or the desk ended it."""
        if meeting.closed:
            self.send({"type": "meeting_closed"})
            self.close(CLOSE_MEETING_CLOSED)
        else:
            self.revoke()

    def _put(self, item: str) -> None:
        if len(self.outbox) >= OUTBOX_LIMIT:
            self._drop()
        else:
            self.outbox.append(item)
        self.wake()

    def _drop(self, code: int = 1008) -> None:
        self.closing = True
        # A kiosk that does not read its messages is cut off; it reconnects and is welcomed anew.
        # A close already decided (4403 revoked) is kept, so the handheld learns the real reason.
        for item in self.outbox:
            if isinstance(item, int) and code == 1008:
                code = item
        self.outbox.clear()
        self.outbox.append(code)


def _nobody() -> None:
    """A link's `wake` before a socket drains it (and in tests that read its outbox)."""


class KioskLinks:
    """The kiosk connections of this process, by pass, and one live connection per pass across
    processes: the newest hello other processes told of, per pass, while that connection lives;
    and the hellos waiting for them to let go. `fanout` answers the hub's fan-out (None without
    Redis: then the connections of this process are all there is)."""

    def __init__(self, fanout: Callable[[], RedisFanout | None]) -> None:
        self._fanout = fanout
        self._links: dict[int, set[KioskLink]] = {}
        self.origin = uuid.uuid4().hex  # this process in stamps (the fan-out's origin, if any)
        self._last_stamp = 0
        self._remote_live: dict[int, Stamp] = {}
        self._let_go: dict[int, asyncio.Event] = {}
        # Hellos and ends to tell, gathered over one turn of the loop into one message each (a
        # hall of handhelds connects at once).
        self._hellos: list[list[int]] = []
        self._ends: list[list[int]] = []
        self._telling = False

    def all(self) -> list[KioskLink]:
        return [link for links in self._links.values() for link in links]

    def of(self, pass_id: int) -> list[KioskLink]:
        """The connections of one pass."""
        return list(self._links.get(pass_id, ()))

    def attach(self, link: KioskLink) -> None:
        self._links.setdefault(link.active.pass_id, set()).add(link)

    def detach(self, link: KioskLink) -> None:
        links = self._links.get(link.active.pass_id)
        if links is not None:
            links.discard(link)
            if not links:
                del self._links[link.active.pass_id]
        self.tell_end(link)

    async def disconnected(self) -> None:
        """Wait until every kiosk connection has ended (after the hub stopped)."""
        while self._links:  # noqa: ASYNC110 - a kiosk handler ends on its own, and rarely
            await asyncio.sleep(0.01)

    def broadcast(self, message: dict[str, Any]) -> None:
        text = orjson.dumps(message).decode()
        for link in self.all():
            link.send_text(text)

    # One live connection per pass (SPEC 4.2 item 5)

    def stamp(self) -> Stamp:
        """The stamp of a hello said now: later than every earlier one of this process."""
        self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
        return (self._last_stamp, self.origin)

    async def take_over(self, link: KioskLink) -> None:
        """Make `link` (attached) the pass's only live connection before it is welcomed: every
        older connection of the pass, here and (through the fan-out) in other processes, takes
        no more votes, sees the votes it has in flight settle (committed and acked, or refused)
        and is closed with 4409. The welcome that follows then shows the member's current vote."""
        pass_id = link.active.pass_id
        self.tell_hellos([link])
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

    @property
    def _fanning_out(self) -> bool:
        """Redis is configured and this process is subscribed: others' hellos and ends reach it."""
        fanout = self._fanout()
        return fanout is not None and fanout.subscribed.is_set()

    def _replace(self, link: KioskLink) -> asyncio.Task[None]:
        if link.release is None:
            link.release = asyncio.create_task(self._let_go_of(link), name="live-replace")
        return link.release

    async def _let_go_of(self, link: KioskLink) -> None:
        link.replaced = True  # the receiver starts no vote from here on
        await asyncio.gather(*list(link.in_flight), return_exceptions=True)
        link.close(CLOSE_REPLACED)  # after the acks of those votes
        self.tell_end(link)

    # Telling the other processes (through the fan-out)

    def tell_hellos(self, links: list[KioskLink]) -> None:
        if self._fanout() is not None and links:
            self._hellos += [[link.active.pass_id, link.stamp[0]] for link in links]
            self._tell_soon()

    def tell_end(self, link: KioskLink) -> None:
        if self._fanout() is not None and not link.ended:
            self._ends.append([link.active.pass_id, link.stamp[0]])
            self._tell_soon()
        link.ended = True

    def tell_again(self) -> None:
        """The fan-out is back, or another process missed messages: tell the others again which
        connections live here (hellos may have been lost), and forget what they told (they tell
        theirs again after their own rebuild)."""
        self._remote_live.clear()
        self.tell_hellos([link for link in self.all() if not link.replaced])

    def _tell_soon(self) -> None:
        if not self._telling:
            self._telling = True
            asyncio.get_running_loop().call_soon(self.tell_now)

    def tell_now(self) -> None:
        """Publish the gathered hellos, then the ends (a connection that said hello and ended
        within one turn is told in that order)."""
        self._telling = False
        fanout = self._fanout()
        if fanout is None:
            return
        if self._hellos:
            fanout.publish("h", h=self._hellos)
            self._hellos = []
        if self._ends:
            fanout.publish("x", x=self._ends)
            self._ends = []

    def remote_hellos(self, origin: str, hellos: list[list[int]]) -> None:
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
        self.tell_hellos(newer)

    def remote_ends(self, origin: str, ends: list[list[int]]) -> None:
        for pass_id, ns in ends:
            if self._remote_live.get(pass_id) == (int(ns), origin):
                del self._remote_live[pass_id]
                if (let_go := self._let_go.get(pass_id)) is not None:
                    let_go.set()

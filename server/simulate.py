"""A simulated hall for `votehall demo --simulate`: the present members' handhelds vote on each
ballot of the agenda, driven through the product's own interfaces (the chair's HTTP API and the
kiosk WebSocket), so the hall screen moves on its own.

On a secret ballot each handheld sends a fresh secret with its vote, as kiosk/secret.js does
(docs/SECRET_BALLOTS.md), and the chair releases the result once the ballot closes; in an
election it votes for a candidate by id. An election round without a winner is followed by the
next round (the chair's one click: POST next-round), voted too, and a lot is drawn when only a
lot decides, so that the meeting plays to its end.

The simulated handhelds never reconnect: a connection that ends ends that handheld's part, as a
4403 (pass revoked) or a 4409 (the pass said hello on another device, SPEC 4.2 item 5) ends a
real handheld's. When
the chair closes the meeting (a person at /chair, while the demo plays) the handhelds hear
`meeting_closed` and close 4410 (SPEC 4.2 item 7), and the whole hall stops there, instead of
asking to open every remaining ballot of a closed meeting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson
import websockets
from websockets.asyncio.client import ClientConnection

log = logging.getLogger(__name__)

# Most proposals pass comfortably, motions are closer; a few representatives change their mind.
LEANINGS: Mapping[str, tuple[float, float, float]] = {
    "voorstel": (0.85, 0.08, 0.07),
    "resolutie": (0.75, 0.15, 0.10),
    "benoeming": (0.90, 0.04, 0.06),
    "amendement": (0.40, 0.45, 0.15),
    "motie": (0.55, 0.35, 0.10),
}
CHOICES = ("for", "against", "abstain")
CLOSE_MEETING_CLOSED = 4410
# In an election a few representatives abstain; the others vote for the candidate they prefer
# among those on the ballot. Preferences hold across rounds, and the first-named candidates are a
# little more popular, so that the first free round rarely has a winner and the rounds play out.
ELECTION_ABSTAIN = 0.04
# Enough for every round of an election (SPEC 2.10): first, second, intermediate votes, run-off.
MAX_ROUNDS = 10


@dataclass(frozen=True, slots=True)
class Pace:
    """Seconds: how long a ballot stays open at most, and how long the result stays up."""

    voting: float = 12.0
    result: float = 5.0
    between: float = 2.0


class Observer(Protocol):
    """What `votehall demo --simulate` shows while the hall plays (server/demo.py draws it)."""

    def connecting(self, connected: int, total: int) -> None: ...
    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None: ...
    def acked(self, ballot_id: int) -> None: ...
    def closed(self, ballot: dict[str, Any]) -> None: ...
    def done(self) -> None: ...
    def meeting_closed(self) -> None: ...


class Quiet:
    def connecting(self, connected: int, total: int) -> None:
        pass

    def opened(self, ballot: dict[str, Any], number: int, total: int, voters: int) -> None:
        pass

    def acked(self, ballot_id: int) -> None:
        pass

    def closed(self, ballot: dict[str, Any]) -> None:
        pass

    def done(self) -> None:
        pass

    def meeting_closed(self) -> None:
        pass


class SimulatedKiosk:
    """One handheld. `meeting_closed` is shared by the hall: set when this handheld hears that
    the meeting closed (the frame, or close 4410 at any time, also at the hello)."""

    def __init__(
        self,
        ws_url: str,
        token: str,
        rng: random.Random,
        observer: Observer = Quiet(),
        meeting_closed: asyncio.Event | None = None,
    ) -> None:
        self.ws_url, self.token, self.rng, self.observer = ws_url, token, rng, observer
        self.meeting_closed = meeting_closed if meeting_closed is not None else asyncio.Event()
        self.connection: ClientConnection | None = None
        self.acked: set[int] = set()
        self._reader: asyncio.Task[None] | None = None
        self._secrets: dict[int, str] = {}  # per secret ballot, kept for a change of vote
        self._preference: dict[str, float] = {}  # candidate name -> rank key, higher preferred

    async def connect(self) -> None:
        self.connection = await websockets.connect(f"{self.ws_url}/ws/kiosk", open_timeout=30)
        await self.connection.send(orjson.dumps({"type": "hello", "pass": self.token}).decode())
        self._hear(await self.connection.recv())  # the welcome, or meeting_closed before a 4410
        self._reader = asyncio.create_task(self._read())

    def _hear(self, frame: str | bytes) -> None:
        message = orjson.loads(frame)
        kind = message.get("type")
        if kind == "ack" and message["ballot"] not in self.acked:
            self.acked.add(message["ballot"])
            self.observer.acked(message["ballot"])
        elif kind == "meeting_closed":
            self.meeting_closed.set()

    async def _read(self) -> None:
        assert self.connection is not None
        try:
            async for frame in self.connection:
                self._hear(frame)
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == CLOSE_MEETING_CLOSED:
                self.meeting_closed.set()
        self.connection = None  # never reconnected: this handheld's part is over

    async def vote(self, ballot: dict[str, Any], pace: Pace) -> None:
        if self.connection is None:
            return
        await asyncio.sleep(self.rng.uniform(0.3, pace.voting * 0.7))
        await self._send(ballot, self.choose(ballot))
        if ballot["allow_change"] and self.rng.random() < 0.05:
            await asyncio.sleep(self.rng.uniform(0.5, 2.0))
            await self._send(ballot, self.choose(ballot, again=True))

    def choose(self, ballot: dict[str, Any], *, again: bool = False) -> str | int:
        """This handheld's choice: in an election (two or more candidates) a candidate's id or an
        abstention, else for, against or abstain as the kind leans (a change of mind: any)."""
        candidates: list[dict[str, Any]] = ballot.get("candidates") or []
        if len(candidates) < 2:
            if again:
                return self.rng.choice(CHOICES)
            return self.rng.choices(CHOICES, weights=LEANINGS.get(ballot["kind"], (0.6, 0.3, 0.1)))[0]
        if self.rng.random() < ELECTION_ABSTAIN:
            return "abstain"
        if again:
            return int(self.rng.choice(candidates)["id"])
        for position, candidate in enumerate(candidates):
            if candidate["name"] not in self._preference:
                # A weighted random order (Efraimidis-Spirakis): the first-named a little ahead.
                self._preference[candidate["name"]] = self.rng.random() ** (position + 3)
        return int(max(candidates, key=lambda c: self._preference[c["name"]])["id"])

    def _secret_for(self, ballot_id: int) -> str:
        """The handheld's secret for a secret ballot: 32 random bytes in hex, made at the first
        vote and sent again with a change (docs/SECRET_BALLOTS.md, kiosk/secret.js)."""
        if ballot_id not in self._secrets:
            self._secrets[ballot_id] = secrets.token_hex(32)
        return self._secrets[ballot_id]

    async def _send(self, ballot: dict[str, Any], choice: str | int) -> None:
        assert self.connection is not None
        frame: dict[str, Any] = {
            "type": "vote", "ballot": ballot["id"], "choice": choice, "vote_id": str(uuid.uuid4()),
        }  # fmt: skip
        if ballot.get("secret"):
            frame["secret"] = self._secret_for(ballot["id"])
        try:
            await self.connection.send(orjson.dumps(frame).decode())
        except websockets.ConnectionClosed:
            self.connection = None


async def simulate_hall(
    base_url: str,
    chair_token: str,
    meeting_id: int,
    passes: Mapping[str, str],
    pace: Pace = Pace(),
    seed: int = 11,
    observer: Observer = Quiet(),
) -> None:
    """Play every draft ballot of the meeting once, in agenda order; stop when the meeting closes."""
    rng = random.Random(seed)
    ws_url = base_url.replace("http", "ws", 1)
    meeting_closed = asyncio.Event()
    kiosks = [
        SimulatedKiosk(ws_url, token, random.Random(rng.random()), observer, meeting_closed)
        for token in passes.values()
    ]
    observer.connecting(0, len(kiosks))
    for start in range(0, len(kiosks), 50):
        await asyncio.gather(*(kiosk.connect() for kiosk in kiosks[start : start + 50]))
        observer.connecting(min(start + 50, len(kiosks)), len(kiosks))
    headers = {"Authorization": f"Bearer {chair_token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
        chair = SimulatedChair(http, rng, observer, pace, kiosks, meeting_closed)
        ballots = (await http.get(f"/api/meetings/{meeting_id}/ballots")).json()
        drafts = [ballot for ballot in ballots if ballot["status"] == "draft"]
        chair.total = len(drafts)
        for ballot in drafts:
            if meeting_closed.is_set():
                break
            await chair.play(ballot)
    for kiosk in kiosks:
        if kiosk.connection is not None:
            await kiosk.connection.close()
    if meeting_closed.is_set():
        observer.meeting_closed()
        log.info("simulation: the meeting was closed; the simulated hall stops")
        return
    observer.done()
    log.info("simulation: the agenda is done")


class SimulatedChair:
    """The chair's part: open a ballot, let the handhelds vote, close it, release a secret
    result, and take an election through its rounds (next round, lot) until it has a winner."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        rng: random.Random,
        observer: Observer,
        pace: Pace,
        kiosks: list[SimulatedKiosk],
        meeting_closed: asyncio.Event,
    ) -> None:
        self.http, self.rng, self.observer, self.pace = http, rng, observer, pace
        self.kiosks, self.meeting_closed = kiosks, meeting_closed
        self.number = 0  # of the ballots opened so far
        self.total = 0  # the ballots to play; an election's later rounds add to it

    async def play(self, ballot: dict[str, Any]) -> None:
        """One ballot of the agenda, and, for an election without a winner, its later rounds."""
        for _ in range(MAX_ROUNDS):
            closed = await self.vote(ballot)
            if closed is None or self.meeting_closed.is_set():
                return
            closed = await self.decide_by_lot(closed)
            if _outcome(closed) != "next_round":
                return
            made = await self.http.post(f"/api/ballots/{closed['id']}/next-round")
            if made.status_code != 201:
                log.info("simulation: no next round after ballot %s: %s", closed["id"], made.text)
                return
            ballot = made.json()
            self.total += 1

    async def vote(self, ballot: dict[str, Any]) -> dict[str, Any] | None:
        """Open, vote, close (and release a secret result); the ballot as closed, or None."""
        opened = await self.http.post(f"/api/ballots/{ballot['id']}/open")
        if opened.status_code != 200:
            if _error_code(opened) == "meeting_closed":  # closed before a handheld heard it
                self.meeting_closed.set()
            else:
                log.info("simulation: ballot %s not opened: %s", ballot["id"], opened.text)
            return None
        self.number += 1
        self.observer.opened(ballot, self.number, self.total, len(self.kiosks))
        await asyncio.wait_for(
            asyncio.gather(*(kiosk.vote(ballot, self.pace) for kiosk in self.kiosks)),
            timeout=self.pace.voting + 5,
        )
        await asyncio.sleep(1.0)
        answer = await self.http.post(f"/api/ballots/{ballot['id']}/close")
        if answer.status_code != 200:
            log.info("simulation: ballot %s not closed: %s", ballot["id"], answer.text)
            return None
        closed: dict[str, Any] = answer.json()
        if closed["secret"]:  # the committee announces the result: the chair releases it
            released = await self.http.post(f"/api/ballots/{ballot['id']}/release")
            if released.status_code == 200:
                closed = released.json()
        self.observer.closed(closed)
        # The result stays up, then a breath before the next ballot; a close of the meeting
        # meanwhile ends the play at once.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.meeting_closed.wait(), self.pace.result + self.pace.between)
        return closed

    async def decide_by_lot(self, closed: dict[str, Any]) -> dict[str, Any]:
        """A round that only a lot decides: the lot is drawn in the hall (here: by the chair's
        dice) and entered, once per open place, trying the candidates in a random order (the
        server refuses one the lot is not drawn among)."""
        for _ in range(MAX_ROUNDS):
            if _outcome(closed) != "lot":
                return closed
            candidates = [c["id"] for c in closed["candidates"]]
            self.rng.shuffle(candidates)
            for candidate in candidates:
                body = {"candidate": candidate, "drawn_by": "de voorzitter (gesimuleerd)"}
                answer = await self.http.post(f"/api/ballots/{closed['id']}/lot", json=body)
                if answer.status_code == 200:
                    closed = answer.json()
                    self.observer.closed(closed)
                    break
            else:
                log.info("simulation: no lot could be entered for ballot %s", closed["id"])
                return closed
        return closed


def _outcome(ballot: dict[str, Any]) -> str | None:
    result = ballot.get("result") or {}
    outcome = result.get("outcome")
    return str(outcome) if outcome is not None else None


def _error_code(answer: httpx.Response) -> str | None:
    """The `error` of an API refusal (`{"error": code, "detail": ...}`), if it has one."""
    try:
        body = answer.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None

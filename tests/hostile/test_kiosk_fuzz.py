"""Hypothesis against the kiosk WebSocket of a real server (SPEC 4.2; SPEC 5 "Bad input").

One hostile kiosk (GM0001's pass, when it says hello at all) sends whatever hypothesis makes:
JSON of every shape, votes with wrong types, huge numbers, NaN and Infinity, unknown and missing
keys, the hello twice or a vote before it, other members' vote ids, binary, empty and
fragmented frames, text frames that are not UTF-8, frames over the size limit. Its connection is
reused until the server closes it. Beside it an honest kiosk (GM0002) votes once per example.

After every frame the server answers exactly one message (a welcome, an ack, or an error with a
SPEC 4.2 code), or closes with a documented code; never 1011, never a dead connection. At the
end the server has printed no traceback, every honest vote was acked, and the `votes` and
`vote_events` tables hold exactly the honest kiosk's ledger and the hostile kiosk's acked votes.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from server.live.kiosk_ws import MAX_FRAME
from server.live.schemas import VOTE_ID_PATTERN
from tests.hostile.conftest import HONEST, HOSTILE, REVOKED, HostileHall, on_loop

EXAMPLES = 300
FRAMES_PER_EXAMPLE = 6
WAIT = 10.0  # seconds for one answer: a liveness bound, never a performance claim

SPEC_CODES = {"bad_message", "unknown_ballot", "ballot_not_open", "not_eligible", "change_not_allowed",
              "vote_id_reused", "rate_limited"}  # fmt: skip
# Every way the server may end a hostile connection, and why.
CLOSE_CODES = {
    1007: "a text frame that is not UTF-8 (RFC 6455)",
    1008: "policy: too many rate-limited frames in a row",
    1009: "a frame over the 4 KiB limit",
    4401: "hello with an unknown pass",
    4403: "hello with a revoked pass",
    4408: "no hello within the timeout",
}
CHOICES = ("for", "against", "abstain")
HONEST_IDS = [f"h-{n}" for n in range(20)]  # some of the honest kiosk's vote ids, for the hostile one

# A frame: ("text", str) | ("binary", bytes) | ("bad_utf8", bytes: a text frame of these bytes,
# which are not UTF-8) | ("fragments", [str, ...]: one text message in several frames)
Frame = tuple[str, Any]


def examples(hall: HostileHall) -> st.SearchStrategy[tuple[str | None, list[Frame]]]:
    """The hello a new connection begins with (its own pass, another, or none), and the frames
    of one example."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(min_value=2**31 - 2, max_value=2**80)
        | st.floats()  # NaN, Infinity and -Infinity included (json.dumps writes them)
        | st.text(max_size=30)
    )
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=12,
    )
    junk = scalars | st.lists(scalars, max_size=2) | st.dictionaries(st.text(max_size=4), scalars, max_size=2)
    ballot_ids = [*hall.seeded.ballot_ids, hall.other_meeting_ballot, 0, -1, 2**31, 2**63, 2**64 + 7, 10**30]
    ballots = st.sampled_from(ballot_ids) | st.integers() | junk
    choices = st.sampled_from(CHOICES) | st.sampled_from(["FOR", "voor", "tegen", "", "for "]) | junk
    vote_ids = (
        st.from_regex(VOTE_ID_PATTERN, fullmatch=True)
        | st.sampled_from(HONEST_IDS)  # the honest member's ids: keyed per member, never shared
        | st.text(max_size=80)
        | junk
    )
    extra = {"member": st.just(HONEST), "pass": st.just("x"), "weight": st.integers(), "": values}
    vote = st.builds(
        _without,
        st.fixed_dictionaries(
            {"type": st.just("vote") | junk, "ballot": ballots, "choice": choices, "vote_id": vote_ids},
            optional=extra,
        ),
        st.sets(st.sampled_from(["type", "ballot", "choice", "vote_id"]), max_size=1),
    )
    # Never the honest member's pass: a kiosk holding it *is* that member and may vote for it.
    passes = st.sampled_from([hall.seeded.passes[HOSTILE], hall.seeded.passes[REVOKED], "vhp_made-up"])
    hello = st.fixed_dictionaries(
        {"type": st.just("hello"), "pass": passes | st.text(max_size=250) | junk},
        optional={key: value for key, value in extra.items() if key != "pass"},
    )
    nested = st.integers(1, 2000).flatmap(
        lambda depth: st.sampled_from(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth])
    )
    # Well-formed votes, for the checks behind the parser: other ballots, other members' ids,
    # resends, changes where a ballot allows none.
    fair_vote = st.fixed_dictionaries({
        "type": st.just("vote"),
        "ballot": st.sampled_from([*hall.seeded.ballot_ids, hall.other_meeting_ballot, 10**9]),
        "choice": st.sampled_from(CHOICES),
        "vote_id": st.sampled_from(HONEST_IDS) | st.from_regex(VOTE_ID_PATTERN, fullmatch=True),
    })  # fmt: skip
    text = st.one_of(
        st.one_of(fair_vote, vote, vote, hello, values).map(lambda value: json.dumps(value, allow_nan=True)),
        st.text(max_size=200),
        st.sampled_from(["", "null", "{}", "[]", '"vote"', "NaN", "1e999", "-0", '{"type": "vote"']) | nested,
    )
    # Frames the transport refuses: uvicorn answers 1007 or 1009 and drops the TCP connection at
    # once, so one of them ends an example (a client still sending would see a reset instead).
    closers = st.one_of(
        st.binary(max_size=8).map(lambda b: ("bad_utf8", b + b"\xc3\x28" + b)),
        st.integers(4097, 9000).map(lambda size: ("text", "x" * size)),
        # Each fragment small, the message too big only with its last one.
        st.integers(MAX_FRAME - 4000 + 1, 3000).map(
            lambda size: ("fragments", ["x" * 2000] * 2 + ["x" * size])
        ),
    )
    # Within the frame limit: a frame over it is a closer, and ends its example.
    text = text.filter(lambda t: len(t.encode()) <= MAX_FRAME)
    hellos = [hello_with(hall.seeded.passes[code]) for code in (HOSTILE, REVOKED)] + [hello_with("vhp_x")]
    frame = st.one_of(
        st.sampled_from(hellos).map(lambda t: ("text", t)),  # twice, after a welcome
        text.map(lambda t: ("text", t)),
        text.map(lambda t: ("text", t)),
        text.map(lambda t: ("text", t)),
        st.binary(max_size=64).map(lambda b: ("binary", b)),
        st.lists(st.text(max_size=20), min_size=1, max_size=4).map(lambda parts: ("fragments", parts)),
    )
    # About one example in five ends with a closer.
    sent = st.tuples(st.lists(frame, min_size=1, max_size=FRAMES_PER_EXAMPLE - 1), st.integers(0, 4), closers)
    greeting = st.sampled_from([hellos[0], hellos[0], None, *hellos[1:]])
    return st.tuples(greeting, sent.map(lambda drawn: drawn[0] + ([drawn[2]] if drawn[1] == 4 else [])))


def hello_with(pass_token: str) -> str:
    return json.dumps({"type": "hello", "pass": pass_token})


def _without(message: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {key: value for key, value in message.items() if key not in keys}


@dataclass
class Ledger:
    """What one member's kiosk was told is stored."""

    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # vote_id -> first ack
    order: list[str] = field(default_factory=list)  # new vote ids in the order they were acked
    unanswered: set[str] = field(default_factory=set)  # ids of frames cut off by a close

    def record(self, ack: dict[str, Any]) -> None:
        known = self.acks.setdefault(ack["vote_id"], ack)
        if known is ack:
            self.order.append(ack["vote_id"])
        else:
            assert ack == known, ("a resend must answer the stored ack", ack, known)


@dataclass
class Fuzzer:
    hall: HostileHall
    honest: ClientConnection
    hostile: ClientConnection | None = None
    closes: dict[int, int] = field(default_factory=dict)
    hostile_ledger: Ledger = field(default_factory=Ledger)
    honest_ledger: Ledger = field(default_factory=Ledger)
    connections: int = 0
    answers: dict[str, int] = field(default_factory=dict)

    async def example(self, greeting: str | None, sent: list[Frame]) -> None:
        assert self.hall.server.process is not None and self.hall.server.process.poll() is None
        await asyncio.gather(self._hostile(greeting, sent), self._honest_vote())

    async def _honest_vote(self) -> None:
        vote_id = f"h-{len(self.honest_ledger.order)}"
        choice = CHOICES[len(self.honest_ledger.order) % 3]
        message = {"type": "vote", "ballot": self.hall.open_ballot, "choice": choice, "vote_id": vote_id}
        await self.honest.send(json.dumps(message))
        while True:
            answer = json.loads(await asyncio.wait_for(self.honest.recv(), WAIT))
            if answer.get("vote_id") == vote_id:
                break
        assert answer["type"] == "ack", ("an honest vote beside the hostile kiosk was refused", answer)
        assert (answer["ballot"], answer["choice"]) == (self.hall.open_ballot, choice)
        self.honest_ledger.record(answer)

    async def _hostile(self, greeting: str | None, sent: list[Frame]) -> None:
        if self.hostile is None:
            self.hostile = await websockets.connect(f"{self.hall.server.ws}/ws/kiosk", max_size=None)
            self.connections += 1
            if greeting is not None:  # else its first frames meet the hello check
                sent = [("text", greeting), *sent]
        connection = self.hostile
        delivered = 0
        for kind, payload in sent:
            try:
                if kind == "text":
                    await connection.send(payload)
                elif kind == "binary":
                    await connection.send(payload, text=False)
                elif kind == "bad_utf8":
                    await connection.send(payload, text=True)
                else:
                    await connection.send(iter(payload))
            except ConnectionClosed:
                break
            delivered += 1
        answered = 0
        try:
            # A frame that could not be sent means the server has closed: read on to its close.
            while answered < delivered or delivered < len(sent):
                answer = json.loads(await asyncio.wait_for(connection.recv(), WAIT))
                answered += self._check(answer)
        except ConnectionClosed as closed:
            self.hostile = None
            self.hostile_ledger.unanswered |= _vote_ids(sent)
            code = closed.rcvd.code if closed.rcvd is not None else None
            assert code in CLOSE_CODES, (f"closed with {code}", closed, _short(sent), self.hall.crashes())
            self.closes[code] = self.closes.get(code, 0) + 1

    def _check(self, answer: dict[str, Any]) -> int:
        """Check one server message; answers 1 for an answer to a frame, 0 for a push."""
        kind = answer["type"]
        self.answers[answer.get("code", kind)] = self.answers.get(answer.get("code", kind), 0) + 1
        if kind == "error":
            assert answer["code"] in SPEC_CODES, answer
            assert answer["vote_id"] is None or isinstance(answer["vote_id"], str), answer
            assert isinstance(answer["message"], str) and answer["message"], answer
            return 1
        if kind == "ack":
            assert answer["ballot"] == self.hall.open_ballot and answer["choice"] in CHOICES, answer
            assert len(answer["receipt"]) == 64 and int(answer["receipt"], 16) >= 0, answer
            self.hostile_ledger.record(answer)
            return 1
        if kind == "welcome":
            assert answer["member"]["code"] == HOSTILE, answer
            return 1
        raise AssertionError(f"the hostile kiosk was sent {answer}")


def _short(sent: list[Frame]) -> list[tuple[str, str]]:
    return [(kind, repr(payload)[:120]) for kind, payload in sent]


def _vote_ids(sent: list[Frame]) -> set[str]:
    ids: set[str] = set()
    for kind, payload in sent:
        if kind == "text":
            try:
                message = json.loads(payload)
            except (ValueError, RecursionError):
                continue
            if isinstance(message, dict) and isinstance(message.get("vote_id"), str):
                ids.add(message["vote_id"])
    return ids


async def test_kiosk_protocol_fuzz(hostile_hall: HostileHall) -> None:
    hall = hostile_hall
    honest, welcome = await hall.kiosk(HONEST)
    assert welcome["ballot"]["id"] == hall.open_ballot
    fuzzer = Fuzzer(hall, honest)
    run = on_loop(asyncio.get_running_loop(), timeout=4 * WAIT)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(drawn=examples(hall))
    def example(drawn: tuple[str | None, list[Frame]]) -> None:
        run(fuzzer.example(*drawn))

    try:
        await asyncio.to_thread(example)
    finally:
        if fuzzer.hostile is not None:
            await fuzzer.hostile.close()
        await honest.close()

    assert not hall.crashes(), "\n\n".join(hall.crashes())
    assert len(fuzzer.honest_ledger.order) >= EXAMPLES
    # A run that never reached the vote path, or never met a close, would prove little.
    assert {"welcome", "ack", "bad_message", "unknown_ballot", "ballot_not_open"} <= set(fuzzer.answers)
    assert {1007, 1009, 4401, 4403} <= set(fuzzer.closes), fuzzer.closes
    await _check_stored(hall, fuzzer)


async def _check_stored(hall: HostileHall, fuzzer: Fuzzer) -> None:
    honest, hostile = fuzzer.honest_ledger, fuzzer.hostile_ledger
    events = await hall.stored_vote_events()
    # The honest kiosk's vote events are exactly its acked votes, in order.
    assert [(e[1], e[2], e[3]) for e in events if e[0] == HONEST] == [
        (hall.open_ballot, honest.acks[i]["choice"], i) for i in honest.order
    ]
    # Every hostile ack is a stored vote event (an ack means committed); a hostile event without
    # an ack is only one whose answer a close cut off.
    hostile_events = {e[3]: (e[1], e[2]) for e in events if e[0] == HOSTILE}
    for vote_id, ack in hostile.acks.items():
        assert hostile_events.get(vote_id) == (ack["ballot"], ack["choice"]), vote_id
    assert set(hostile_events) <= set(hostile.acks) | hostile.unanswered
    assert {e[0] for e in events} <= {HONEST, HOSTILE}

    last = honest.acks[honest.order[-1]]
    expected = [(HONEST, hall.open_ballot, last["choice"], last["vote_id"])]
    stored = await hall.stored_votes()
    hostile_rows = [row for row in stored if row[0] == HOSTILE]
    assert [row for row in stored if row[0] != HOSTILE] == expected
    if hostile_rows:
        (_, ballot, choice, vote_id) = hostile_rows[0]
        assert hostile_events[vote_id] == (ballot, choice)
        if not hostile.unanswered:
            assert vote_id == hostile.order[-1]
    # The server's own count agrees with the tables.
    tally = (await hall.ballot(hall.open_ballot))["tally"]
    weights = {HONEST: 42, HOSTILE: 75}
    for choice in CHOICES:
        assert tally[choice] == sum(weights[row[0]] for row in stored if row[2] == choice), tally

"""SPEC 4.2.6 and 5 (bad input): a malformed frame gets {"type": "error", "code": "bad_message"}
and the connection stays open. `parse()` validates with pydantic (which reads NaN, Infinity and
1e999 as JSON numbers) and, on a validation error, re-reads the frame with orjson to find its
vote_id (`_vote_id_of`); orjson rejects those numbers and its JSONDecodeError escapes `Refused`
handling, killing the receiver task (after hello) or the handler (before hello)."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.live.kiosk_ws import Refused, parse
from server.rules import BallotAction
from tests.live.conftest import Hall
from tests.live.test_kiosk_protocol import receive, vote

ODD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999"]


@pytest.mark.parametrize("number", ODD_NUMBERS)
def test_parse_refuses_a_frame_with_a_non_standard_number(number: str) -> None:
    frame = f'{{"type": "vote", "ballot": {number}, "choice": "for", "vote_id": "n-1"}}'
    with pytest.raises(Refused) as refused:
        parse(frame)
    assert refused.value.code == "bad_message"


async def test_a_nan_frame_after_hello_gets_an_error_and_the_connection_stays(hall: Hall) -> None:
    ballot_id = hall.seeded.ballot_ids[0]
    await hall.action(ballot_id, BallotAction.OPEN.value)
    kiosk, _ = await hall.kiosk("GM0002")
    try:
        await kiosk.send('{"type": "vote", "ballot": NaN, "choice": "for", "vote_id": "n-1"}')
        try:
            answer = await receive(kiosk, "error")
        except ConnectionClosed as closed:
            pytest.fail(f"the server closed the kiosk ({closed}) instead of answering bad_message")
        assert answer["code"] == "bad_message"
        assert (await vote(kiosk, ballot_id, "for", "ok-1"))["type"] == "ack"
    finally:
        await kiosk.close()


async def test_a_nan_frame_before_hello_gets_an_error_and_hello_still_works(hall: Hall) -> None:
    async with websockets.connect(f"{hall.server.ws}/ws/kiosk") as kiosk:
        await kiosk.send('{"type": "hello", "pass": NaN}')
        try:
            answer = await receive(kiosk)
        except ConnectionClosed as closed:
            pytest.fail(f"the server closed the kiosk ({closed}) instead of answering bad_message")
        assert (answer["type"], answer["code"]) == ("error", "bad_message")
        await kiosk.send(json.dumps({"type": "hello", "pass": hall.seeded.passes["GM0002"]}))
        assert (await receive(kiosk))["type"] == "welcome"

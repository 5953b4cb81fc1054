"""A minimal VoteHall handheld (docs/PROTOCOL.md): pair, say hello, vote once, print the receipt.

    python docs/examples/kiosk_client.py http://127.0.0.1:8000 7KQ2M-X9DTA for
    python docs/examples/kiosk_client.py http://127.0.0.1:8000 vhp_... tegen   # the next ballot

Votes on the open ballot, or waits for the next one to open; exits after the ack. It keeps the
vote until the ack comes, resends it with the same vote_id after any reconnect, and reconnects
with backoff and jitter, except after a close that says it cannot help (GONE): then it says why
and exits with 1. A pairing code works once: the pass token it buys is printed, for the
next ballot (keep it to yourself: it votes for the member). Needs httpx and websockets (both
installed with VoteHall).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import uuid

import httpx
import websockets

RETRY = {"unavailable", "rate_limited"}  # the server may take the same vote later
CHOICES = {"for": "for", "against": "against", "abstain": "abstain",
           "voor": "for", "tegen": "against", "onthouding": "abstain"}  # fmt: skip
GONE = {  # the closes after which reconnecting cannot help
    4401: "unknown pass; ask the desk for a new pairing code",
    4403: "pass revoked, checked out or replaced; ask the desk for a new pairing code",
    4409: "this pass is in use on another device; go to the voting desk",
    4410: "the meeting is closed; there is nothing more to vote on",
}


def pair(base: str, pairing_code: str) -> str | None:
    """1. The single-use pairing code buys the pass token, the handheld's secret."""
    answer = httpx.post(f"{base}/api/kiosk/pair", json={"pairing_code": pairing_code})
    if answer.status_code != 200:
        print("pairing refused:", answer.json())
        return None
    token: str = answer.json()["pass"]
    print(f"paired; the pass token for the next ballots: {token}")
    return token


async def run(base: str, token: str, choice: str) -> int:
    vote: dict[str, object] | None = None  # the vote on the wire until its ack
    attempt = 0
    while True:
        try:
            async with websockets.connect(base.replace("http", "ws", 1) + "/ws/kiosk") as ws:
                # 2. hello within 10 s; the answer is welcome, or a close with 4401/4403/4410;
                # 4409 later, when the pass says hello on another device.
                await ws.send(json.dumps({"type": "hello", "pass": token}))
                async for frame in ws:
                    message = json.loads(frame)
                    kind = message["type"]
                    if kind == "welcome":
                        attempt = 0
                        print(f"welcome: {message['member']['name']} ({message['member']['weight']} votes)")
                    if kind in ("welcome", "ballot") and vote is None:
                        ballot = message["ballot"]
                        if ballot and ballot["status"] == "open":
                            print(f"ballot {ballot['id']}: {ballot['agenda']} {ballot['title']}")
                            vote = {"type": "vote", "ballot": ballot["id"], "choice": choice,
                                    "vote_id": str(uuid.uuid4())}  # fmt: skip
                            await ws.send(json.dumps(vote))
                    elif kind == "welcome" and vote is not None:
                        await ws.send(json.dumps(vote))  # 3. resend: the same vote_id, never twice counted
                    elif kind == "ack" and vote is not None and message["vote_id"] == vote["vote_id"]:
                        print(f"ack: {message['choice']}, receipt {message['receipt']}")
                        return 0
                    elif kind == "error":
                        print(f"error {message['code']}: {message['message']}")
                        if message["code"] in RETRY and vote is not None:
                            await asyncio.sleep(random.uniform(0.5, 2.0))
                            await ws.send(json.dumps(vote))
                        elif message["code"] == "bad_message":
                            return 2  # this client sent something the server cannot read
                        elif vote is not None and message["vote_id"] == vote["vote_id"]:
                            vote = None  # refused for good (e.g. the ballot closed): wait for the next
        except websockets.ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code in GONE:
                print(f"closed {closed.rcvd.code}: {GONE[closed.rcvd.code]}")
                return 1
        except OSError as error:
            print(f"cannot connect: {error}")
        # 4. Reconnect after a random wait in a window that doubles from 1 s to 15 s (full jitter).
        await asyncio.sleep(random.uniform(0, min(15.0, 2.0**attempt)))
        attempt += 1


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[3].lower() not in CHOICES:
        sys.exit("usage: kiosk_client.py URL PAIRING-CODE|PASS-TOKEN for|against|abstain|voor|tegen")
    base_url, code, choice = sys.argv[1], sys.argv[2], CHOICES[sys.argv[3].lower()]
    # Only now, with the arguments checked, is the single-use code spent.
    token = code if code.startswith("vhp_") else pair(base_url, code)
    sys.exit(asyncio.run(run(base_url, token, choice)) if token else 1)

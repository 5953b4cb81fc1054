"""Replaying secret ballots (SPEC 2.9, docs/SECRET_BALLOTS.md "Keys", "Close" and "Checking").

Pure: hashlib and base64 only, so that `votehall verify` needs no cryptography library. The
replay (`server.audit.replay`) finds the ballot an entry names and calls these checks:

- `committee_key`: the fingerprint is the SHA-256 of the raw public key, logged before the first
  secret ballot opens;
- `sealing_key`: a secret ballot opens with a ballot key (base64 of 32 bytes) and only once the
  committee's key is in the log;
- `add_units`: the `ballot_units` parts, numbered 1, 2, … without a gap, after the last
  participation and before the close, each unit a 64-hex receipt with a choice of the ballot;
- `close_units`: at the close, all units sorted by receipt and distinct, and as many as the
  distinct participants weigh together (each member's frozen weight once). What they count is
  the tally the close's result must follow from.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from server.audit.wording import Said, say
from server.rules import ABSTAIN, Decision, Majority, Tally, decide

if TYPE_CHECKING:
    from server.audit.replay import Replay, ReplayedBallot

KEY_BYTES = 32
_RECEIPT = re.compile(r"[0-9a-f]{64}")
WORD_CHOICES = ("for", "against", "abstain")

SecretChoice = str | int


def raw_key(text: object) -> bytes | None:
    """The 32 bytes of a key in canonical standard base64 (the one spelling the server writes),
    or None."""
    if not isinstance(text, str):
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != KEY_BYTES or base64.b64encode(raw).decode("ascii") != text:
        return None
    return raw


def fingerprint(raw: bytes) -> str:
    """docs/SECRET_BALLOTS.md "Keys": the SHA-256 of the 32 raw public-key bytes, hex."""
    return hashlib.sha256(raw).hexdigest()


def committee_key(state: Replay, seq: Any, data: Mapping[str, Any]) -> None:
    raw = raw_key(data["public_key"])
    stated = str(data["fingerprint"])
    if raw is None:
        state.problem(seq, say("logs a committee key that is not 32 bytes in base64"))
    elif fingerprint(raw) != stated:
        state.problem(
            seq,
            say(
                "logs the committee key with the fingerprint {stated}, but the key's is {actual}",
                stated=stated,
                actual=fingerprint(raw),
            ),
        )
    opened = [b.id for b in state.ballots.values() if b.secret and b.opened_seq is not None]
    if opened:
        state.problem(
            seq,
            say(
                "logs a committee key after the secret ballot {ballot} opened",
                ballot=opened[0],
            ),
        )
    state.committee_key = {"public_key": data["public_key"], "fingerprint": stated}


def sealing_key(state: Replay, seq: Any, ballot: ReplayedBallot, data: Mapping[str, Any]) -> None:
    """At `ballot_opened`: a secret ballot's key, and the committee's key before it."""
    key = data.get("sealing_key")
    if not ballot.secret:
        if key is not None:
            state.problem(seq, say("opens the public ballot {ballot} with a sealing key", ballot=ballot.id))
        return
    if state.committee_key is None:
        state.problem(
            seq,
            say("opens the secret ballot {ballot} without a committee key in the log", ballot=ballot.id),
        )
    if raw_key(key) is None:
        state.problem(
            seq,
            say(
                "opens the secret ballot {ballot} without a sealing key of 32 bytes in base64",
                ballot=ballot.id,
            ),
        )
    ballot.sealing_key = key if isinstance(key, str) else None


def allowed_choices(ballot: ReplayedBallot) -> frozenset[SecretChoice]:
    """What a unit of this ballot can carry: a candidate or "abstain" in an election, else the
    words of a yes/no vote (a single-candidate vote too)."""
    ids = ballot.candidate_ids
    if len(ids) >= 2:
        return frozenset({*ids, ABSTAIN})
    return frozenset(WORD_CHOICES)


def _well_formed(unit: object, allowed: frozenset[SecretChoice]) -> bool:
    if not isinstance(unit, list) or len(unit) != 2:
        return False
    receipt, choice = unit
    if not isinstance(receipt, str) or not _RECEIPT.fullmatch(receipt):
        return False
    if isinstance(choice, bool) or not isinstance(choice, str | int):
        return False
    return choice in allowed


def add_units(state: Replay, seq: Any, ballot: ReplayedBallot, data: Mapping[str, Any]) -> None:
    """One `ballot_units` entry: where it stands, its part number, and the form of its units."""
    if not ballot.secret:
        state.problem(seq, say("lists unit ballots of the public ballot {ballot}", ballot=ballot.id))
        return
    if ballot.status != "open":
        state.problem(
            seq,
            say(
                "lists unit ballots of ballot {ballot}, which is {status}, not open",
                ballot=ballot.id,
                status=ballot.status,
            ),
        )
        return
    part, due = data["part"], ballot.unit_parts + 1
    if part != due:
        state.problem(
            seq,
            say(
                "is part {part} of the unit ballots of ballot {ballot}, where part {due} was due",
                part=part,
                ballot=ballot.id,
                due=due,
            ),
        )
    ballot.unit_parts += 1
    units = data["units"]
    if not isinstance(units, list) or not units:
        state.problem(seq, say("lists no unit ballots"))
        return
    allowed = allowed_choices(ballot)
    bad = [n for n, unit in enumerate(units, 1) if not _well_formed(unit, allowed)]
    if bad:
        state.problem(
            seq,
            say(
                "lists {count} unit ballots that are not a receipt of 64 lowercase hex digits with a "
                "choice of ballot {ballot} (the first is unit {first} of this part)",
                count=len(bad),
                ballot=ballot.id,
                first=bad[0],
            ),
        )
    ballot.unit_count += len(units)
    left_out = set(bad)
    ballot.units.extend((unit[0], unit[1]) for n, unit in enumerate(units, 1) if n not in left_out)


def close_units(state: Replay, seq: Any, ballot: ReplayedBallot) -> Counter[SecretChoice]:
    """At a secret ballot's close: the units' order, distinctness and number; their count per choice."""
    receipts = [receipt for receipt, _ in ballot.units]
    repeated = sorted(receipt for receipt, times in Counter(receipts).items() if times > 1)
    if repeated:
        state.problem(
            seq,
            say(
                "closes ballot {ballot}, whose unit ballots repeat {count} receipts (the first: {receipt})",
                ballot=ballot.id,
                count=len(repeated),
                receipt=repeated[0],
            ),
        )
    unsorted = next((n for n, (a, b) in enumerate(pairwise(receipts), 2) if a > b), None)
    if unsorted is not None:
        state.problem(
            seq,
            say(
                "closes ballot {ballot}, whose unit ballots are not sorted by receipt (unit {unit} is out "
                "of order)",
                ballot=ballot.id,
                unit=unsorted,
            ),
        )
    weight = sum(ballot.participants.values())
    if ballot.unit_count != weight:
        state.problem(
            seq,
            say(
                "closes ballot {ballot} with {units} unit ballots, but the {members} members who voted "
                "weigh {weight} together",
                ballot=ballot.id,
                units=ballot.unit_count,
                members=len(ballot.participants),
                weight=weight,
            ),
        )
    return Counter(choice for _, choice in ballot.units)


def yes_no_decision(ballot: ReplayedBallot, counts: Counter[SecretChoice]) -> Decision:
    """A secret yes/no ballot decided from its units; `members_voted` is the distinct participants
    (the units carry weights only)."""
    tally = Tally(counts["for"], counts["against"], counts["abstain"], 0, 0, 0)
    decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
    return replace(decision, members_voted=len(ballot.participants))


def secret_line(ballot: ReplayedBallot) -> Said | None:
    """verify's line for a closed secret ballot: how many members took part, how many units."""
    if not ballot.secret or ballot.status != "closed" or ballot.hand_count is not None:
        return None
    return say(
        "  secret: {members} members voted, {units} units",
        members=len(ballot.participants),
        units=len(ballot.units),
    )

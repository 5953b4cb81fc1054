"""What a catch-up finds in the meeting's log past the read model's head: the votes to apply as
they are, and the ballots and passes to read again; or None when an entry changes the meeting
itself (then the hub rebuilds its read model instead)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from server.audit import entries
from server.live.events import BallotChanged, LiveEvent, PassChanged
from server.live.repository import LogRow
from server.live.state import LiveMeeting

# What a catch-up does with each log entry type: votes are applied as they are; these change
# nothing the screens show; these name a ballot or a pass to read again; any other (a change of
# the meeting itself) makes the hub rebuild.
_UNSHOWN = frozenset({entries.CARD_ISSUED, entries.PASS_PAIRING_CODE})
_BALLOT_ENTRIES = frozenset({
    entries.BALLOT_CREATED, entries.BALLOT_OPENED, entries.BALLOT_CLOSED,
    entries.BALLOT_ACCLAMATION, entries.BALLOT_WITHDRAWN, entries.BALLOT_HELD,
    entries.BALLOT_EDITED, entries.BALLOT_DELETED, entries.BALLOT_VOIDED,
    entries.BALLOT_COUNTED_BY_HAND, entries.BALLOT_OUT_OF_ORDER, entries.BALLOT_DISSENT,
    entries.BALLOT_COUNTDOWN, entries.BALLOT_LOT, entries.BALLOT_UNITS, entries.BALLOT_RELEASED,
    entries.BALLOT_UNLOCKED,
})  # fmt: skip
_PASS_ENTRIES = frozenset({
    entries.PASS_ISSUED, entries.PASS_PAIRED, entries.PASS_ENDED, entries.PASS_RETURNED,
})  # fmt: skip
_READ_AGAIN = _BALLOT_ENTRIES | _PASS_ENTRIES | {entries.VOTE, entries.PARTICIPATION}


def read_entries(
    missed: Sequence[LogRow], meeting: LiveMeeting
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
        if entry.type in (entries.VOTE, entries.PARTICIPATION):  # a participation has no choice
            member = codes.get(data["member"])
            if member is not None:
                choice = data.get("choice")
                votes.append([data["ballot"], member, choice, data["vote_id"], entry.hash, entry.seq])
        elif entry.type in _PASS_ENTRIES:
            events[PassChanged(int(data["pass"]))] = None
        else:
            ballot = data["ballot"]
            events[BallotChanged(int(ballot["id"] if isinstance(ballot, dict) else ballot))] = None
    return votes, list(events)

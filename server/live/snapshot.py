"""The feed snapshot of SPEC 4.3, built from the read model (pure: no I/O)."""

from __future__ import annotations

from typing import Any

from server.live.state import LiveBallot, LiveMeeting, Result
from server.rules import BallotStatus, Tally, percent_for


def tally_dict(tally: Tally, abstain_is_cast: bool) -> dict[str, Any]:
    cast = tally.cast(abstain_is_cast)
    return {
        "for": tally.for_,
        "against": tally.against,
        "abstain": tally.abstain,
        "cast": cast,
        "percent_for": percent_for(tally.for_, cast),
    }


def _result_tally(result: Result) -> tuple[dict[str, Any] | None, dict[str, int] | None]:
    """The stored result as the feed shows it; a decision without a vote has no tally."""
    if (
        result.for_ is None
        or result.against is None
        or result.abstain is None
        or result.members_voted is None
    ):
        return None, None
    tally = {
        "for": result.for_,
        "against": result.against,
        "abstain": result.abstain,
        "cast": result.cast,
        "percent_for": result.percent_for,
    }
    voted = {"members": result.members_voted, "weight": result.for_ + result.against + result.abstain}
    return tally, voted


def ballot_dict(ballot: LiveBallot, *, chair: bool) -> dict[str, Any]:
    """The feed's ballot. The running tally is hidden on public channels while the ballot is open
    unless the ballot shows it live (SPEC 2.9); once decided, the stored result is shown."""
    tally: dict[str, Any] | None
    voted: dict[str, int] | None
    if ballot.status is BallotStatus.OPEN:
        tally = tally_dict(ballot.tally, ballot.abstain_is_cast) if chair or ballot.show_live_tally else None
        voted = {"members": ballot.tally.members_voted, "weight": ballot.tally.weight_voted}
        outcome = None
    elif ballot.result is not None:
        tally, voted = _result_tally(ballot.result)
        outcome = ballot.result.outcome
    else:
        tally, voted, outcome = None, None, None
    return {
        "id": ballot.id,
        "agenda": ballot.agenda,
        "title": ballot.title,
        "kind": ballot.kind,
        "status": ballot.status.value,
        "majority": ballot.majority,
        "test": ballot.test,
        "preadvies": ballot.preadvies,
        "submitters": ballot.submitter_names,
        "voted": voted,
        "tally": tally,
        "outcome": outcome,
    }


def decisions(meeting: LiveMeeting) -> list[dict[str, Any]]:
    """Decided ballots in the order decided; test ballots never enter the decisions (SPEC 2.7)."""
    decided = sorted(
        (
            b
            for b in meeting.ballots.values()
            if b.result is not None and not b.test and b.decided_at is not None
        ),
        key=lambda b: (b.decided_at, b.id),
    )
    return [
        {
            "ballot": b.id,
            "agenda": b.agenda,
            "title": b.title,
            "kind": b.kind,
            "outcome": b.result.outcome if b.result else None,
            "percent_for": b.result.percent_for if b.result else None,
        }
        for b in decided
    ]


def snapshot(meeting: LiveMeeting | None, version: int, *, chair: bool = False) -> dict[str, Any]:
    if meeting is None:
        return {"version": version, "meeting": None, "present": None, "ballot": None, "decisions": []}
    members, weight = meeting.present()
    shown = meeting.shown_ballot
    body: dict[str, Any] = {
        "version": version,
        "meeting": {"id": meeting.id, "title": meeting.title, "date": meeting.date.isoformat()},
        "present": {
            "members": members,
            "weight": weight,
            "of_members": len(meeting.seats),
            "of_weight": meeting.total_weight,
        },
        "ballot": ballot_dict(shown, chair=chair) if shown is not None else None,
        "decisions": decisions(meeting),
    }
    if chair:
        body["not_voted"] = not_voted(meeting)
    return body


def not_voted(meeting: LiveMeeting) -> list[dict[str, Any]]:
    """Present members who have not voted on the open ballot: what the chair waits for."""
    ballot = meeting.open_ballot
    if ballot is None:
        return []
    waiting = {p.member_id for p in meeting.passes.values()} - ballot.choices.keys()
    seats = sorted((meeting.seats[m] for m in waiting), key=lambda s: s.name)
    return [{"code": s.code, "name": s.name, "weight": s.weight} for s in seats]

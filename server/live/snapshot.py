"""The feed snapshot of SPEC 4.3, built from the read model (pure: no I/O)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from server.live.election_view import election_minutes, result_view, running
from server.live.state import LiveBallot, LiveCandidate, LiveMeeting, Result
from server.rules import BallotStatus, ElectionOutcome, Outcome, Tally, minutes_sentence, percent_for


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
    """The stored result as the feed shows it: a decision without a vote has no tally, and a count
    by hand has its figures but not the number of members that voted."""
    if result.for_ is None or result.against is None or result.abstain is None:
        return None, None
    tally = {
        "for": result.for_,
        "against": result.against,
        "abstain": result.abstain,
        "cast": result.cast,
        "percent_for": result.percent_for,
    }
    if result.members_voted is None:
        return tally, None
    voted = {"members": result.members_voted, "weight": result.for_ + result.against + result.abstain}
    return tally, voted


def minutes(result: Result) -> dict[str, str] | None:
    """The minutes sentence, made once by the server's rules (SPEC 2.6, 2.7): the pages show it
    as it is, in the hall's language or in English, and never word a result themselves. None for
    an election round's outcome (elected, next_round, lot), which a yes/no sentence cannot say."""
    if result.outcome not in Outcome.__members__.values():
        return None
    return {
        lang: minutes_sentence(
            Outcome(result.outcome),
            result.percent_for,
            lang,
            by_hand=result.counted_by_hand,
            reason=result.void_reason,
            dissent=result.dissent,
        )
        for lang in ("nl", "en")
    }


_ELECTION_OUTCOMES = frozenset(o.value for o in ElectionOutcome)


def ballot_minutes(ballot: LiveBallot, result: Result) -> dict[str, str] | None:
    """The minutes of a decided ballot: an election round's in the words of SPEC 2.10."""
    if ballot.election_result is not None and result.outcome in _ELECTION_OUTCOMES:
        return election_minutes(
            ballot.election_result, ballot.candidate_names, by_hand=result.counted_by_hand
        )
    return minutes(result)


def election(ballot: LiveBallot, *, shown: bool) -> dict[str, Any] | None:
    """An election's figures per candidate: the running tally while open (when `shown`), the
    stored result once closed; None for a ballot without candidates."""
    if ballot.status is BallotStatus.OPEN:
        if ballot.election is None or not shown:
            return None
        return running(ballot.election, ballot.candidate_names)
    if ballot.election_result is None:
        return None
    # A secret round's result gives no member counts per candidate (units carry weights only),
    # one counted by hand none at all.
    by_hand = ballot.result is not None and ballot.result.counted_by_hand
    return result_view(ballot.election_result, ballot.candidate_names, secret=ballot.secret, by_hand=by_hand)


def _ref(meeting: LiveMeeting, ballot_id: int | None) -> dict[str, Any] | None:
    """Another ballot as a screen names it: "herstemming van 7a ...", "amendement op 7 ..."."""
    other = meeting.ballots.get(ballot_id) if ballot_id is not None else None
    if other is None:
        return None
    return {"id": other.id, "agenda": other.agenda, "title": other.title, "kind": other.kind}


def ballot_dict(ballot: LiveBallot, *, chair: bool, meeting: LiveMeeting | None = None) -> dict[str, Any]:
    """The feed's ballot. The running tally is hidden on public channels while the ballot is open
    unless the ballot shows it live (SPEC 2.9), and on a secret ballot from everyone, the chair
    included; once decided, the stored result is shown (a secret ballot's on the public channels
    only once the chair released it: `released`)."""
    tally: dict[str, Any] | None
    voted: dict[str, int] | None
    shown = not ballot.secret and (chair or ballot.show_live_tally)
    if ballot.status is BallotStatus.OPEN:
        # An election's running tally is per candidate (`election`), not for/against.
        tally = tally_dict(ballot.tally, ballot.abstain_is_cast) if shown and not ballot.is_election else None
        members, weight = ballot.voted()
        voted = {"members": members, "weight": weight}
        outcome = None
    elif withheld(ballot, chair=chair):
        tally, voted, outcome = None, None, None
    elif ballot.result is not None:
        tally, voted = _result_tally(ballot.result)
        if ballot.election_result is not None and ballot.is_election:
            counted = ballot.election_result
            # A secret round's members that voted are its participants (the ballot row's count).
            members = (ballot.result.members_voted or 0) if ballot.secret else counted.members_voted
            voted = {"members": members, "weight": counted.cast + counted.abstain}
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
        "secret": ballot.secret,
        "candidates": candidates(ballot.candidates),
        "round": ballot.round,
        "preadvies": ballot.preadvies,
        "submitters": ballot.submitter_names,
        "voted": voted,
        "tally": tally,
        "election": None if withheld(ballot, chair=chair) else election(ballot, shown=shown),
        "outcome": outcome,
        **_corrections(ballot, meeting, chair=chair),
        **({"released": ballot.released} if ballot.secret else {}),
    }


def withheld(ballot: LiveBallot, *, chair: bool) -> bool:
    """A closed secret ballot's result stays off the public screens until the chair releases
    it (SECRET_BALLOTS.md); the chair sees it at once."""
    return (
        ballot.secret
        and not chair
        and not ballot.released
        and ballot.status is BallotStatus.CLOSED
        and ballot.result is not None
        and not ballot.result.counted_by_hand
    )


def candidates(listed: list[LiveCandidate]) -> list[dict[str, Any]]:
    """An election's candidates as every screen and handheld gets them (SPEC 4.2, 4.3)."""
    return [{"id": c.id, "name": c.name, "note": c.note} for c in listed]


def _corrections(ballot: LiveBallot, meeting: LiveMeeting | None, *, chair: bool = False) -> dict[str, Any]:
    """What a screen says besides the tally: the minutes sentence, a void's reason, a count by
    hand, a re-vote, an amendment's proposal, a motion not on the agenda (SPEC 2.7, 2.8)."""
    result = ballot.result if ballot.status is not BallotStatus.OPEN else None
    if withheld(ballot, chair=chair):
        result = None
    return {
        "minutes": ballot_minutes(ballot, result) if result is not None else None,
        "void_reason": result.void_reason if result is not None else None,
        "counted_by_hand": result.counted_by_hand if result is not None else False,
        "dissent": list(result.dissent) if result is not None else [],
        "revote_of": _ref(meeting, ballot.revote_of) if meeting is not None else None,
        "amends": _ref(meeting, ballot.amends) if meeting is not None else None,
        "off_agenda": ballot.off_agenda,
        "countdown_ends_at": countdown_ends_at(ballot),
    }


def countdown_ends_at(ballot: LiveBallot) -> str | None:
    """When the chair's countdown ends (UTC, ISO 8601), while the ballot is open."""
    if ballot.status is not BallotStatus.OPEN or ballot.countdown_ends_at is None:
        return None
    return ballot.countdown_ends_at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decisions(meeting: LiveMeeting, *, chair: bool = False) -> list[dict[str, Any]]:
    """Decided ballots in the order decided; test ballots never enter the decisions (SPEC 2.7),
    nor a secret ballot whose result the chair has not released (but on the chair's channel)."""
    decided = sorted(
        (
            b
            for b in meeting.ballots.values()
            if b.result is not None
            and not b.test
            and b.decided_at is not None
            and not withheld(b, chair=chair)
        ),
        key=lambda b: (b.decided_at, b.id),
    )
    return [
        {
            "ballot": b.id,
            "agenda": b.agenda,
            "title": b.title,
            "kind": b.kind,
            "outcome": b.result.outcome,
            "percent_for": b.result.percent_for,
            "minutes": ballot_minutes(b, b.result),
            "election": election(b, shown=True),
            "void_reason": b.result.void_reason,
            "counted_by_hand": b.result.counted_by_hand,
            "revote_of": _ref(meeting, b.revote_of),
            # False only on the chair's channel: a secret result not yet released.
            **({"released": b.released} if b.secret else {}),
        }
        for b in decided
        if b.result is not None
    ]


def snapshot(meeting: LiveMeeting | None, version: int, *, chair: bool = False) -> dict[str, Any]:
    if meeting is None:
        return {"version": version, "meeting": None, "present": None, "ballot": None, "decisions": []}
    members, weight = meeting.present()
    shown = meeting.shown_ballot
    body: dict[str, Any] = {
        "version": version,
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "date": meeting.date.isoformat(),
            "status": "closed" if meeting.closed else "open",
        },
        "current_item": (
            {"number": meeting.current_item, "title": meeting.agenda.get(meeting.current_item, "")}
            if meeting.current_item is not None
            else None
        ),
        "present": {
            "members": members,
            "weight": weight,
            "of_members": len(meeting.seats),
            "of_weight": meeting.total_weight,
        },
        "ballot": ballot_dict(shown, chair=chair, meeting=meeting) if shown is not None else None,
        "decisions": decisions(meeting, chair=chair),
    }
    if chair:
        body["not_voted"] = not_voted(meeting)
    return body


def not_voted(meeting: LiveMeeting) -> list[dict[str, Any]]:
    """Present members who have not voted on the open ballot: what the chair waits for."""
    ballot = meeting.open_ballot
    if ballot is None:
        return []
    waiting = {p.member_id for p in meeting.passes.values() if not ballot.has_voted(p.member_id)}
    seats = sorted((meeting.seats[m] for m in waiting), key=lambda s: s.name)
    return [{"code": s.code, "name": s.name, "weight": s.weight} for s in seats]

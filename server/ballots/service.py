"""Ballots: preparation and the lifecycle the chair drives (SPEC 2.4-2.8, 4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots import candidates as election
from server.ballots import repository, rounds, sealed_close
from server.ballots.elections import check_candidates_fit, default_secret
from server.ballots.models import Ballot, Candidate
from server.ballots.schemas import BallotCreate, BallotUpdate, HandCountIn
from server.errors import Conflict, InvalidInput, NotFound
from server.live.events import BallotChanged, record
from server.live.sealed import SealedKeys
from server.meetings import repository as meeting_repository
from server.meetings.models import Meeting
from server.meetings.service import get_meeting
from server.register import repository as register_repository
from server.rules import (
    BallotAction,
    BallotKind,
    BallotStatus,
    Choice,
    ElectionResult,
    ElectionTally,
    Majority,
    Outcome,
    Placed,
    Preadvies,
    RoundKind,
    Tally,
    check_out_of_order,
    decide,
    decide_single,
    kind_order,
    order_blockers,
    outcome_of_status,
    tally_votes,
    transition,
    validate_ballot_fields,
)


async def get_ballot(session: AsyncSession, ballot_id: int, *, for_update: bool = False) -> Ballot:
    ballot = await repository.get(session, ballot_id, for_update=for_update)
    if ballot is None:
        raise NotFound(f"there is no ballot {ballot_id}", code="unknown_ballot")
    return ballot


async def create_ballot(session: AsyncSession, meeting_id: int, data: BallotCreate) -> Ballot:
    """Prepare a ballot on an agenda item; it starts as a draft."""
    meeting = await get_meeting(session, meeting_id)
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    ballot = Ballot(
        meeting_id=meeting_id,
        agenda=data.agenda,
        title=data.title.strip(),
        kind=data.kind.value,
        majority=data.majority.value,
        abstain_is_cast=data.abstain_is_cast,
        allow_change=data.allow_change,
        test=data.test,
        show_live_tally=data.show_live_tally,
        amends_id=data.amends,
        submitters=list(data.submitters),
        preadvies=data.preadvies.value if data.preadvies else None,
        off_agenda=data.off_agenda,
        secret=data.secret if data.secret is not None else default_secret(data.kind),
        status=BallotStatus.DRAFT.value,
    )
    names = election.cleaned(data.candidates)
    given_round = data.round
    if data.round_of is not None and not names:
        # The next round of an election takes its candidates from the stored result (SPEC 2.10).
        names, given_round = await rounds.derive(session, data.round_of, meeting_id, data.round)
    await _check_settings(session, ballot, meeting.status, candidates=len(names))
    if data.round_of is not None:
        await election.follow(session, ballot, data.round_of)
        if data.secret is None:  # a later round is as secret as the round it follows
            followed = await repository.get(session, data.round_of)
            ballot.secret = followed is not None and followed.secret
    election.settle_round(ballot, len(names), given_round)
    if data.revote_of is not None:
        redone = await repository.get(session, data.revote_of)
        if redone is None or redone.meeting_id != meeting_id:
            raise InvalidInput(
                f"ballot {data.revote_of} is not a ballot of this meeting", code="invalid_ballot"
            )
        if redone.status != BallotStatus.VOIDED:
            raise Conflict(
                f"a re-vote redoes a voided ballot; {_named(redone)} is {redone.status}",
                code="revote_of_not_voided",
            )
        again = await repository.revote_of(session, redone.id)
        if again is not None:
            raise Conflict(
                f"{_named(redone)} is voted again already as {_named(again)}; a re-vote of that one names it",
                code="already_revoted",
            )
        ballot.revote_of_id = redone.id
    session.add(ballot)
    await session.flush()
    rows = await election.store(session, ballot, names)
    journal.note(session, meeting_id, entries.BALLOT_CREATED, {"ballot": ballot_data(ballot, rows)})
    record(session, BallotChanged(ballot.id))
    return ballot


async def _check_settings(
    session: AsyncSession, ballot: Ballot, meeting_status: str, *, candidates: int
) -> None:
    """The checks a ballot's settings must pass, at creation and after every edit (SPEC 2.8, 2.10)."""
    agenda = {item.number for item in await meeting_repository.agenda(session, ballot.meeting_id)}
    if agenda and ballot.agenda not in agenda:
        raise InvalidInput(
            f"agenda item {ballot.agenda!r} is not on the agenda of meeting {ballot.meeting_id}",
            code="unknown_agenda_item",
        )
    amends_kind: BallotKind | None = None
    if ballot.amends_id is not None:
        amended = await repository.get(session, ballot.amends_id)
        if amended is None or amended.meeting_id != ballot.meeting_id or amended.id == ballot.id:
            raise InvalidInput(
                f"ballot {ballot.amends_id} is not a ballot of this meeting", code="invalid_ballot"
            )
        if amended.status != BallotStatus.DRAFT:
            raise Conflict(
                f"{_named(amended)} is already {amended.status}",
                code="amended_ballot_decided",
            )
        amends_kind = BallotKind(amended.kind)
    validate_ballot_fields(
        BallotKind(ballot.kind),
        amends_kind=amends_kind,
        submitters=ballot.submitters,
        preadvies=Preadvies(ballot.preadvies) if ballot.preadvies else None,
        off_agenda=ballot.off_agenda,
    )
    check_candidates_fit(
        BallotKind(ballot.kind),
        candidates,
        majority=Majority(ballot.majority),
        abstain_is_cast=ballot.abstain_is_cast,
    )
    await _check_submitters(session, ballot.meeting_id, meeting_status, ballot.submitters)


# What PATCH may change, and the column each field is kept in.
_EDITABLE = {
    "agenda": "agenda", "title": "title", "kind": "kind", "majority": "majority",
    "abstain_is_cast": "abstain_is_cast", "allow_change": "allow_change", "test": "test",
    "amends": "amends_id", "submitters": "submitters", "preadvies": "preadvies",
    "show_live_tally": "show_live_tally", "off_agenda": "off_agenda", "secret": "secret",
}  # fmt: skip
# Fields whose explicit null means "none"; for the others null is refused.
_NULLABLE = frozenset({"amends", "preadvies"})


async def update_ballot(
    session: AsyncSession, ballot_id: int, data: BallotUpdate, operator: Operator
) -> Ballot:
    """Edit a draft ballot (SPEC 2.7): only the fields sent change; the result is checked as a new one."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await _meeting_not_closed(session, ballot.meeting_id)
    _must_be_draft(ballot, "edited")
    rows = list(await repository.candidates_of(session, ballot.id))
    names = election.names_of(rows)
    changed: list[str] = []
    for field in sorted(data.model_fields_set):
        value = getattr(data, field)
        if field == "candidates":
            if value is None:
                raise InvalidInput("candidates cannot be null; [] removes them", code="invalid_ballot")
            given = election.cleaned(data.candidates)
            if given != names:
                names = given
                changed.append(field)
            continue
        if value is None and field not in _NULLABLE:
            raise InvalidInput(f"{field} cannot be null", code="invalid_ballot")
        if isinstance(value, str) and field != "preadvies" and field not in ("kind", "majority"):
            value = value.strip()
        if hasattr(value, "value"):
            value = value.value
        if field == "submitters":
            value = list(value)
        column = _EDITABLE[field]
        if getattr(ballot, column) != value:
            setattr(ballot, column, value)
            changed.append(field)
    if not changed:
        return ballot
    await _check_settings(session, ballot, meeting.status, candidates=len(names))
    round_before = ballot.round
    election.settle_round(ballot, len(names), election.round_after_edit(ballot, len(names)))
    if ballot.round != round_before:
        changed.append("round")
    if "kind" in changed and BallotKind(ballot.kind) not in (BallotKind.VOORSTEL, BallotKind.RESOLUTIE):
        amending = await repository.amendments_of(session, ballot.id)
        if amending:
            raise Conflict(
                f"amendments amend this ballot ({_names(amending)}); a {ballot.kind} cannot be amended",
                code="ballot_amended",
            )
    await session.flush()
    if "candidates" in changed:
        rows = await election.store(session, ballot, names)
    journal.note(session, ballot.meeting_id, entries.BALLOT_EDITED, {
        "ballot": ballot_data(ballot, rows), "changed": changed, "operator": operator.log_data(),
    })  # fmt: skip
    record(session, BallotChanged(ballot.id))
    return ballot


async def delete_ballot(session: AsyncSession, ballot_id: int, operator: Operator) -> None:
    """Delete a draft ballot prepared by mistake (SPEC 2.7); the log keeps that it existed."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    await _meeting_not_closed(session, ballot.meeting_id)
    _must_be_draft(ballot, "deleted")
    amending = await repository.amendments_of(session, ballot.id)
    if amending:
        raise Conflict(
            f"amendments amend this ballot ({_names(amending)}); delete or change them first",
            code="ballot_amended",
        )
    following = await repository.next_rounds_of(session, ballot.id)
    if following:
        raise Conflict(
            f"later rounds follow this ballot ({_names(following)}); delete them first",
            code="ballot_followed",
        )
    meeting_id = ballot.meeting_id
    await session.delete(ballot)
    await session.flush()
    journal.note(
        session, meeting_id, entries.BALLOT_DELETED, {"ballot": ballot_id, "operator": operator.log_data()}
    )
    record(session, BallotChanged(ballot_id))


def _names(ballots: Sequence[Ballot]) -> str:
    return ", ".join(_named(b) for b in ballots)


def _named(ballot: Ballot) -> str:
    """A ballot as people name it: by its agenda item and title, never by its id."""
    return f"agenda item {ballot.agenda} {ballot.title!r}"


def _must_be_draft(ballot: Ballot, done: str) -> None:
    if ballot.status != BallotStatus.DRAFT:
        raise Conflict(
            f"only a draft ballot can be {done}; {_named(ballot)} is {ballot.status}",
            code="ballot_not_draft",
        )


async def _meeting_not_closed(session: AsyncSession, meeting_id: int, *, for_update: bool = False) -> Meeting:
    meeting = await get_meeting(session, meeting_id, for_update=for_update)
    if meeting.status == "closed":
        # Its record may be published: nothing of a closed meeting is decided any more.
        raise Conflict("the meeting is closed", code="meeting_closed")
    return meeting


async def withdraw_candidate(
    session: AsyncSession, ballot_id: int, candidate_id: int, operator: Operator
) -> Ballot:
    """Take a withdrawn candidate off a draft ballot (SPEC 2.10); with one candidate left the
    ballot becomes a single-candidate vote. The last candidate cannot be withdrawn: delete the
    ballot, or edit it into a slate."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    await _meeting_not_closed(session, ballot.meeting_id)
    _must_be_draft(ballot, "changed")
    rows = list(await repository.candidates_of(session, ballot.id))
    withdrawn = next((row for row in rows if row.id == candidate_id), None)
    if withdrawn is None:
        raise NotFound(f"{_named(ballot)} has no candidate {candidate_id}", code="unknown_candidate")
    if len(rows) == 1:
        raise Conflict(
            f"{withdrawn.name} is the only candidate of {_named(ballot)}; delete the ballot instead",
            code="last_candidate",
        )
    await session.delete(withdrawn)
    if len(rows) == 2:
        ballot.round = RoundKind.SINGLE.value
    await session.flush()
    journal.note(session, ballot.meeting_id, entries.CANDIDATE_WITHDRAWN, {
        "ballot": ballot.id, "candidate": withdrawn.id, "operator": operator.log_data(),
    })  # fmt: skip
    record(session, BallotChanged(ballot.id))
    return ballot


def ballot_data(ballot: Ballot, candidates: Sequence[Candidate]) -> dict[str, object]:
    """A ballot's settings as the log records them (server.audit.entries)."""
    return {
        "id": ballot.id,
        "agenda": ballot.agenda,
        "title": ballot.title,
        "kind": ballot.kind,
        "majority": ballot.majority,
        "abstain_is_cast": ballot.abstain_is_cast,
        "allow_change": ballot.allow_change,
        "test": ballot.test,
        "show_live_tally": ballot.show_live_tally,
        "amends": ballot.amends_id,
        "submitters": list(ballot.submitters),
        "preadvies": ballot.preadvies,
        "off_agenda": ballot.off_agenda,
        "revote_of": ballot.revote_of_id,
        "secret": ballot.secret,
        "candidates": [election.candidate_data(c) for c in candidates],
        "round_of": ballot.round_of_id,
        "round": ballot.round,
    }


_ENTRY_OF_ACTION = {
    BallotAction.OPEN: entries.BALLOT_OPENED,
    BallotAction.CLOSE: entries.BALLOT_CLOSED,
    BallotAction.ACCLAMATION: entries.BALLOT_ACCLAMATION,
    BallotAction.WITHDRAW: entries.BALLOT_WITHDRAWN,
    BallotAction.HOLD: entries.BALLOT_HELD,
    BallotAction.OUT_OF_ORDER: entries.BALLOT_OUT_OF_ORDER,
}


async def _check_submitters(
    session: AsyncSession, meeting_id: int, status: str, codes: Sequence[str]
) -> None:
    if not codes:
        return
    if status == "open":
        known = await meeting_repository.frozen_member_codes(session, meeting_id)
    else:
        known = {member.cbs_code for member in await register_repository.all_members(session)}
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(f"unknown submitting members: {', '.join(unknown)}", code="unknown_member")


async def list_ballots(session: AsyncSession, meeting_id: int) -> list[Ballot]:
    """The meeting's ballots in agenda order; within an item amendments, proposal, motions, and motions
    not on the agenda last (SPEC 2.8)."""
    await get_meeting(session, meeting_id)
    positions = {item.number: item.position for item in await meeting_repository.agenda(session, meeting_id)}
    ballots = await repository.of_meeting(session, meeting_id)
    return sorted(
        ballots,
        key=lambda b: (
            b.off_agenda,  # motions on matters not on the agenda come at the end of the meeting
            positions.get(b.agenda, len(positions) + 1),
            b.agenda,
            kind_order(BallotKind(b.kind)),
            b.id,
        ),
    )


async def live_tally(session: AsyncSession, ballot: Ballot) -> Tally | None:
    """The yes/no tally of the stored votes; None for an election (its tally is per candidate:
    `rounds.counted`) and for a secret ballot (whose votes are sealed)."""
    if ballot.secret or ballot.round not in (None, RoundKind.SINGLE):
        return None
    votes = await repository.weighted_votes(session, ballot)
    return tally_votes({code: Choice(choice) for code, choice, _ in votes}, {code: w for code, _, w in votes})


async def act(
    session: AsyncSession,
    ballot_id: int,
    action: BallotAction,
    *,
    operator: Operator | None = None,
    override_order: bool = False,
    keys: SealedKeys | None = None,
) -> Ballot:
    """Move a ballot through its lifecycle; the chair's buttons land here.

    Opening keeps the order of SPEC 2.8 unless the chair overrides it (`override_order`, logged
    with the operator). Declaring a motion out of order is logged with the operator too.
    A secret ballot gets its key at the open and is counted from its sealed votes at the close,
    which needs the ballot's key among this process's `keys` (server.ballots.sealed_close).
    """
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await _meeting_not_closed(session, ballot.meeting_id, for_update=action is BallotAction.OPEN)
    new_status = transition(BallotStatus(ballot.status), action, test=ballot.test)
    now = datetime.now(UTC)
    data: dict[str, object] = {"ballot": ballot.id}
    if action is BallotAction.OPEN:
        overridden = await _check_can_open(session, ballot, meeting.status, override_order)
        if ballot.secret and meeting.committee_public_key is None:
            raise Conflict(
                "a secret ballot opens only once the vote-counting committee's public key is set "
                "(votehall committee keygen, then POST /api/meetings/{id}/committee-key)",
                code="committee_key_missing",
            )
        if overridden:
            data["override_order"] = overridden
            data["operator"] = operator.log_data() if operator else None
        if ballot.secret:
            sealed_close.open_secret(session, ballot, meeting, data)
        ballot.opened_at = now
    elif action is BallotAction.CLOSE and ballot.secret:
        data["result"] = await sealed_close.close_secret(session, ballot, keys)
    elif action is BallotAction.CLOSE:
        data["result"] = await _close(session, ballot)
    else:
        if action is BallotAction.OUT_OF_ORDER:
            check_out_of_order(BallotKind(ballot.kind))
            data["operator"] = operator.log_data() if operator else None
        outcome = outcome_of_status(new_status)
        assert outcome is not None, new_status
        ballot.outcome = outcome.value
    if action is not BallotAction.OPEN:
        ballot.closed_at = now
    ballot.status = new_status.value
    try:
        await session.flush()
    except IntegrityError:
        # The partial unique index caught a concurrent open in another process.
        raise Conflict("another ballot of this meeting is open", code="ballot_already_open") from None
    await _log_decision(
        session, ballot, _ENTRY_OF_ACTION[action], data, decided=action is not BallotAction.OPEN
    )
    return ballot


async def _close(session: AsyncSession, ballot: Ballot) -> dict[str, object]:
    """Decide a closing ballot from its stored votes and keep the result; answers the `result`
    that `ballot_closed` logs. A ballot with candidates is an election round (SPEC 2.10)."""
    candidates = await repository.candidates_of(session, ballot.id)
    if candidates:
        return await _close_round(session, ballot, candidates)
    tally = await live_tally(session, ballot)
    assert tally is not None  # neither an election nor secret: those have candidates or their own path
    decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
    _store_decision(ballot, decision.outcome, decision.for_, decision.against, decision.abstain,
                    decision.cast, decision.members_voted, decision.percent_for)  # fmt: skip
    return _result_data(ballot)


async def _close_round(
    session: AsyncSession, ballot: Ballot, candidates: Sequence[Candidate]
) -> dict[str, object]:
    """Decide a public election round (or single-candidate vote) at its close."""
    return rounds.store_result(ballot, await rounds.decide_round(session, ballot, candidates))


def _store_decision(
    ballot: Ballot,
    outcome: Outcome,
    for_: int | None,
    against: int | None,
    abstain: int | None,
    cast: int | None,
    members_voted: int | None,
    percent: str | None,
) -> None:
    ballot.outcome = outcome.value
    ballot.for_weight, ballot.against_weight, ballot.abstain_weight = for_, against, abstain
    ballot.cast_weight, ballot.members_voted, ballot.percent_for = cast, members_voted, percent


def _result_data(ballot: Ballot) -> dict[str, object]:
    return {
        "for": ballot.for_weight,
        "against": ballot.against_weight,
        "abstain": ballot.abstain_weight,
        "cast": ballot.cast_weight,
        "members_voted": ballot.members_voted,
        "percent_for": ballot.percent_for,
        "outcome": ballot.outcome,
    }


async def _log_decision(
    session: AsyncSession, ballot: Ballot, type_: str, data: dict[str, object], *, decided: bool
) -> None:
    entry = journal.note(session, ballot.meeting_id, type_, data)
    if decided:
        # The result is kept with the log head at the decision, for the committee (issue 5).
        await journal.flush(session)
        assert entry.written is not None
        ballot.close_hash = entry.written.hash
        ballot.close_seq = entry.written.seq
        await session.flush()
    record(session, BallotChanged(ballot.id))


async def void(session: AsyncSession, ballot_id: int, reason: str, operator: Operator) -> Ballot:
    """Declare a ballot void (SPEC 2.7): an open one, or a closed one while the meeting is open and
    no later ballot has been opened or decided. Its votes stay in the log; the reason is shown
    wherever the ballot is."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("give the reason the ballot is void", code="invalid_reason")
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await _meeting_not_closed(session, ballot.meeting_id)
    if meeting.status != "open":
        raise Conflict(f"the meeting is {meeting.status}", code="meeting_not_open")
    new_status = transition(BallotStatus(ballot.status), BallotAction.VOID, test=ballot.test)
    if ballot.secret and ballot.status == BallotStatus.OPEN:
        await sealed_close.void_secret(session, ballot)  # destroyed unopened (SPEC 2.9)
    if ballot.status == BallotStatus.CLOSED:
        later = await repository.opened_or_decided_after(session, ballot)
        if later is not None:
            raise Conflict(
                f"{_named(later)} was opened or decided after this one; "
                "a result can be voided only until the next ballot",
                code="void_window_passed",
            )
    ballot.status = new_status.value
    ballot.outcome = Outcome.VOIDED.value
    ballot.void_reason = reason
    ballot.closed_at = datetime.now(UTC)
    await session.flush()
    data = {"ballot": ballot.id, "reason": reason, "operator": operator.log_data()}
    await _log_decision(session, ballot, entries.BALLOT_VOIDED, data, decided=True)
    return ballot


async def count_by_hand(
    session: AsyncSession, ballot_id: int, data: HandCountIn, operator: Operator
) -> Ballot:
    """Record a result counted by hand (SPEC 2.7): a show of hands or paper, when the handhelds
    cannot be used; confirmed by a member of the vote-counting committee, whom the log names.

    With figures, the ballot's own majority rule decides, as for an electronic vote; without, the
    outcome is as the chair states it. The number of members that voted is not known. An election
    round is counted per candidate and decided by the election rules (SPEC 2.10), the vote on a
    single candidate by its votes for and against; both need their figures.
    """
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await _meeting_not_closed(session, ballot.meeting_id)
    if meeting.status != "open":
        raise Conflict(f"the meeting is {meeting.status}", code="meeting_not_open")
    new_status = transition(BallotStatus(ballot.status), BallotAction.HAND_COUNT, test=ballot.test)
    candidates = await repository.candidates_of(session, ballot.id)
    ballot.counted_by_hand = True  # first: a round counted by hand is stored without member counts
    if candidates:
        result = await _round_by_hand(session, ballot, meeting.id, candidates, data)
    else:
        result = await _yes_no_by_hand(session, ballot, meeting.id, data)
    ballot.confirmed_by = " ".join(data.confirmed_by.split())
    ballot.status = new_status.value
    ballot.closed_at = datetime.now(UTC)
    await session.flush()
    entry = {
        "ballot": ballot.id,
        "result": result,
        "confirmed_by": ballot.confirmed_by,
        "operator": operator.log_data(),
    }
    await _log_decision(session, ballot, entries.BALLOT_COUNTED_BY_HAND, entry, decided=True)
    return ballot


async def _yes_no_by_hand(
    session: AsyncSession, ballot: Ballot, meeting_id: int, data: HandCountIn
) -> dict[str, object]:
    """A yes/no ballot counted by hand: its figures under its majority rule, or only the outcome."""
    if data.candidates is not None:
        raise InvalidInput("only an election round is counted per candidate", code="invalid_count")
    if data.outcome is not None:
        if any(value is not None for value in (data.for_, data.against, data.abstain)):
            raise InvalidInput(
                "give either the votes counted or only the outcome, not both", code="invalid_count"
            )
        _store_decision(ballot, Outcome(data.outcome), None, None, None, None, None, None)
        return _result_data(ballot)
    if data.for_ is None or data.against is None:
        raise InvalidInput(
            "give the votes for and against (and abstentions), or the outcome", code="invalid_count"
        )
    abstain = data.abstain or 0
    await _check_counted(session, meeting_id, data.for_ + data.against + abstain)
    tally = Tally(data.for_, data.against, abstain, 0, 0, 0)
    decision = decide(tally, Majority(ballot.majority), abstain_is_cast=ballot.abstain_is_cast)
    _store_decision(ballot, decision.outcome, decision.for_, decision.against, decision.abstain,
                    decision.cast, None, decision.percent_for)  # fmt: skip
    return _result_data(ballot)


async def _round_by_hand(
    session: AsyncSession, ballot: Ballot, meeting_id: int, candidates: Sequence[Candidate], data: HandCountIn
) -> dict[str, object]:
    """An election round counted by hand, per candidate, decided by the election rules (an
    intermediate vote with the plan of the round it follows); the vote on a single candidate by
    its votes for and against. Answers the result as `ballot_closed` would log it."""
    if data.outcome is not None:
        raise InvalidInput(
            "a round of an election counted by hand gives its figures, not only an outcome",
            code="invalid_count",
        )
    abstain = data.abstain or 0
    ids = [c.id for c in candidates]
    result: ElectionResult
    if rounds.is_election(ballot, candidates):
        given = {c.id: c.votes for c in data.candidates or []}
        if (
            data.for_ is not None
            or data.against is not None
            or sorted(given) != sorted(ids)
            or (len(given) != len(data.candidates or []))
        ):
            raise InvalidInput(
                f"give the votes of each of the candidates {ids} once (candidates), and the abstentions",
                code="invalid_count",
                extra={"candidates": ids},
            )
        await _check_counted(session, meeting_id, sum(given.values()) + abstain)
        tally = ElectionTally({c: given[c] for c in ids}, dict.fromkeys(ids, 0), abstain, 0)
        result = await rounds.decide_counted(session, ballot, candidates, tally)
    else:
        if data.candidates is not None or data.for_ is None or data.against is None:
            raise InvalidInput(
                "the vote on a single candidate is counted with the votes for and against (and abstentions)",
                code="invalid_count",
            )
        await _check_counted(session, meeting_id, data.for_ + data.against + abstain)
        result = decide_single(ids[0], Tally(data.for_, data.against, abstain, 0, 0, 0))
    return rounds.store_result(ballot, result)


async def _check_counted(session: AsyncSession, meeting_id: int, counted: int) -> None:
    """A count by hand cannot exceed the weight of the members present."""
    present = sum((await meeting_repository.present(session, meeting_id)).values())
    if counted > present:
        raise InvalidInput(
            f"{counted} votes counted, but the members present hold {present}",
            code="invalid_count",
            extra={"present_weight": present},
        )


async def note_dissent(
    session: AsyncSession, ballot_id: int, members: Sequence[str], operator: Operator
) -> Ballot:
    """Note the members that ask to be recorded as having voted against a decision by acclamation
    (aantekening, SPEC 2.7); the list replaces the one noted before."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    meeting = await _meeting_not_closed(session, ballot.meeting_id)
    if ballot.status != BallotStatus.ACCLAMATION:
        raise Conflict(
            f"dissent is noted on a decision by acclamation; {_named(ballot)} is {ballot.status}",
            code="not_acclamation",
        )
    codes = list(dict.fromkeys(code.strip() for code in members))
    known = await meeting_repository.frozen_member_codes(session, meeting.id)
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InvalidInput(f"unknown members: {', '.join(unknown)}", code="unknown_member")
    # Only a member present in the hall can ask for its dissent to be noted (SPEC 2.3, 2.7).
    absent = sorted(set(codes) - (await meeting_repository.present(session, meeting.id)).keys())
    if absent:
        raise InvalidInput(
            f"not present: {', '.join(absent)}", code="member_not_present", extra={"members": absent}
        )
    ballot.dissent = codes
    await session.flush()
    journal.note(session, meeting.id, entries.BALLOT_DISSENT, {
        "ballot": ballot.id, "members": codes, "operator": operator.log_data(),
    })  # fmt: skip
    record(session, BallotChanged(ballot.id))
    return ballot


async def start_countdown(session: AsyncSession, ballot_id: int, seconds: int) -> Ballot:
    """Put a countdown on the open ballot for the handhelds and the screens ("nog 30 seconden");
    0 stops it. Closing stays the chair's act: nothing closes by itself when it runs out."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    if ballot.status != BallotStatus.OPEN:
        raise Conflict(
            f"a countdown runs on an open ballot; {_named(ballot)} is {ballot.status}",
            code="ballot_not_open",
        )
    ballot.countdown_ends_at = datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None
    await session.flush()
    journal.note(
        session, ballot.meeting_id, entries.BALLOT_COUNTDOWN, {"ballot": ballot.id, "seconds": seconds}
    )
    record(session, BallotChanged(ballot.id))
    return ballot


async def _check_can_open(
    session: AsyncSession, ballot: Ballot, meeting_status: str, override_order: bool
) -> list[int]:
    """Refuse to open out of turn; with `override_order`, answer the ballots passed over (logged)."""
    if meeting_status != "open":
        raise Conflict(
            f"the meeting is {meeting_status}; votes need an open meeting with a frozen register",
            code="meeting_not_open",
        )
    already = await repository.open_ballot_of(session, ballot.meeting_id)
    if already is not None:
        raise Conflict(
            f"{_named(already)} is open; close it first",
            code="ballot_already_open",
            extra={"ballots": [_ref(already)]},
        )
    pending = list(await repository.draft_amendments_of(session, ballot.id))
    others = await repository.of_meeting(session, ballot.meeting_id)
    ahead = {b.id for b in order_blockers(_placed(ballot), (_placed(b) for b in others))}
    earlier = [b for b in others if b.id in ahead and b not in pending]
    if override_order or not (pending or earlier):
        return sorted(b.id for b in [*pending, *earlier])
    if pending:
        raise Conflict(
            f"decide the amendments first (SPEC 2.8): {_names(pending)} still amends this one",
            code="amendments_pending",
            extra={"ballots": [_ref(b) for b in pending]},
        )
    raise Conflict(
        f"within agenda item {ballot.agenda} the order is amendments, proposal, motions (SPEC 2.8); "
        f"undecided before this one: {_names(earlier)}",
        code="agenda_order",
        extra={"ballots": [_ref(b) for b in earlier]},
    )


def _placed(ballot: Ballot) -> Placed:
    return Placed(
        id=ballot.id,
        agenda=ballot.agenda,
        kind=BallotKind(ballot.kind),
        status=BallotStatus(ballot.status),
        test=ballot.test,
        off_agenda=ballot.off_agenda,
    )


def _ref(ballot: Ballot) -> dict[str, object]:
    """A ballot as an error names it: the chair page words it with the agenda number, not the id."""
    return {"id": ballot.id, "agenda": ballot.agenda, "title": ballot.title, "kind": ballot.kind}

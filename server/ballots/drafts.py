"""Preparing ballots (SPEC 2.4, 2.7, 2.8, 2.10): create, edit and delete drafts, and take a
withdrawn candidate off one. Every change is logged and reaches the screens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots import candidates as election
from server.ballots import repository, rounds
from server.ballots.elections import check_candidates_fit, default_secret
from server.ballots.guards import meeting_not_closed, must_be_draft, named, named_list
from server.ballots.models import Ballot
from server.ballots.schemas import BallotCreate, BallotUpdate
from server.ballots.service import ballot_data, get_ballot
from server.errors import Conflict, InvalidInput, NotFound
from server.live.events import BallotChanged, record
from server.meetings import repository as meeting_repository
from server.meetings.service import get_meeting
from server.register import repository as register_repository
from server.rules import (
    BallotKind,
    BallotStatus,
    Majority,
    Preadvies,
    RoundKind,
    validate_ballot_fields,
)


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
                f"a re-vote redoes a voided ballot; {named(redone)} is {redone.status}",
                code="revote_of_not_voided",
            )
        again = await repository.revote_of(session, redone.id)
        if again is not None:
            raise Conflict(
                f"{named(redone)} is voted again already as {named(again)}; a re-vote of that one names it",
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
                f"{named(amended)} is already {amended.status}",
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
    meeting = await meeting_not_closed(session, ballot.meeting_id)
    must_be_draft(ballot, "edited")
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
                f"amendments amend this ballot ({named_list(amending)}); a {ballot.kind} cannot be amended",
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
    await meeting_not_closed(session, ballot.meeting_id)
    must_be_draft(ballot, "deleted")
    amending = await repository.amendments_of(session, ballot.id)
    if amending:
        raise Conflict(
            f"amendments amend this ballot ({named_list(amending)}); delete or change them first",
            code="ballot_amended",
        )
    following = await repository.next_rounds_of(session, ballot.id)
    if following:
        raise Conflict(
            f"later rounds follow this ballot ({named_list(following)}); delete them first",
            code="ballot_followed",
        )
    meeting_id = ballot.meeting_id
    await session.delete(ballot)
    await session.flush()
    journal.note(
        session, meeting_id, entries.BALLOT_DELETED, {"ballot": ballot_id, "operator": operator.log_data()}
    )
    record(session, BallotChanged(ballot_id))


async def withdraw_candidate(
    session: AsyncSession, ballot_id: int, candidate_id: int, operator: Operator
) -> Ballot:
    """Take a withdrawn candidate off a draft ballot (SPEC 2.10); with one candidate left the
    ballot becomes a single-candidate vote. The last candidate cannot be withdrawn: delete the
    ballot, or edit it into a slate."""
    ballot = await get_ballot(session, ballot_id, for_update=True)
    await meeting_not_closed(session, ballot.meeting_id)
    must_be_draft(ballot, "changed")
    rows = list(await repository.candidates_of(session, ballot.id))
    withdrawn = next((row for row in rows if row.id == candidate_id), None)
    if withdrawn is None:
        raise NotFound(f"{named(ballot)} has no candidate {candidate_id}", code="unknown_candidate")
    if len(rows) == 1:
        raise Conflict(
            f"{withdrawn.name} is the only candidate of {named(ballot)}; delete the ballot instead",
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

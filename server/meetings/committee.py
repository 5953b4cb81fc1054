"""The vote-counting committee's public key of a meeting (SPEC 2.9, docs/SECRET_BALLOTS.md "Keys").

The committee makes its key pair on its own machine (`votehall committee keygen`) and gives the
server only `committee.pub`. The key can be set, and replaced, until the meeting's first secret
ballot opens: a ballot key is sealed to it from then on. Its fingerprint is logged and shown on
the chair's page, so that a swapped key is seen.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries, journal
from server.auth.service import Operator
from server.ballots.models import Ballot
from server.errors import Conflict
from server.live.events import MeetingChanged, record
from server.meetings.models import Meeting
from server.meetings.service import get_meeting
from server.secret.keys import read_committee_public


async def set_committee_key(session: AsyncSession, meeting_id: int, text: str, operator: Operator) -> Meeting:
    """Store the committee's public key (the text of committee.pub) and its fingerprint, logged
    as `committee_key`; 409 once a secret ballot of the meeting has opened, or the meeting closed."""
    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.status == "closed":
        raise Conflict("the meeting is closed", code="meeting_closed")
    public = read_committee_public(text)  # 422 bad_key, naming what is wrong (a private key, ...)
    opened = await session.scalar(
        select(Ballot.id)
        .where(Ballot.meeting_id == meeting_id, Ballot.secret.is_(True), Ballot.opened_at.is_not(None))
        .limit(1)
    )
    if opened is not None:
        raise Conflict(
            "a secret ballot of this meeting has opened with the committee's key: it cannot change now",
            code="committee_key_in_use",
        )
    meeting.committee_public_key = public.text
    meeting.committee_fingerprint = public.fingerprint
    await session.flush()
    journal.note(session, meeting.id, entries.COMMITTEE_KEY, {
        "public_key": public.b64, "fingerprint": public.fingerprint, "operator": operator.log_data(),
    })  # fmt: skip
    record(session, MeetingChanged(meeting.id))
    return meeting

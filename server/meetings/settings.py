"""The meeting's settings for the record (issue 15): the reference date of the population figures,
the names in the signature block, and whether the public record names the representatives.

Given when the meeting is created or changed later (PATCH) until the record is published; the
population date only until the meeting opens, which freezes it from the register. Every change
is logged as `meeting_settings` (the chair and the committee sign the record: their names are
public; representatives are never logged).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import entries
from server.audit.journal import note
from server.auth.service import Operator
from server.errors import Conflict
from server.live.events import MeetingChanged, record
from server.meetings.models import Meeting
from server.meetings.schemas import MeetingSettingsIn

SETTINGS = ("population_date", "chair_name", "committee_members", "publish_representatives")


def logged_value(name: str, value: Any) -> Any:
    """A setting as the log and the meeting keep it: dates in ISO, an empty committee as None."""
    if name == "population_date" and value is not None:
        return value.isoformat()
    if name == "committee_members":
        return list(value) if value else None
    return value


def apply_settings(
    session: AsyncSession, meeting: Meeting, given: MeetingSettingsIn, operator: Operator | None
) -> dict[str, Any]:
    """Set the fields `given` names that differ from the meeting's; log them as one
    `meeting_settings` entry (none when nothing changed). Answers what changed, as logged."""
    changed: dict[str, Any] = {}
    for name in SETTINGS:
        if name not in given.model_fields_set:
            continue
        value = getattr(given, name)
        if name == "committee_members":
            value = list(value) if value else None
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed[name] = logged_value(name, value)
    if changed:
        data: dict[str, Any] = {"settings": changed}
        if operator is not None:
            data["operator"] = operator.log_data()
        note(session, meeting.id, entries.MEETING_SETTINGS, data)
    return changed


async def change_settings(
    session: AsyncSession, meeting_id: int, given: MeetingSettingsIn, operator: Operator
) -> Meeting:
    """PATCH /api/meetings/{id}: 409 `meeting_published` once the record is published, and
    `population_date_frozen` for a population date once the meeting has opened."""
    from server.meetings.service import get_meeting  # the service creates meetings with apply_settings

    meeting = await get_meeting(session, meeting_id, for_update=True)
    if meeting.published_at is not None:
        raise Conflict("the record of this meeting is published: its settings stay", code="meeting_published")
    frozen = meeting.status != "draft" and given.population_date != meeting.population_date
    if "population_date" in given.model_fields_set and frozen:
        raise Conflict(
            "the population date was frozen with the weights when the meeting opened",
            code="population_date_frozen",
        )
    apply_settings(session, meeting, given, operator)
    await session.flush()
    record(session, MeetingChanged(meeting.id))
    return meeting

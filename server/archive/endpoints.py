from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Response, status

from server.archive import service
from server.deps import AdminOnly, Session
from server.meetings import service as meeting_service
from server.meetings.endpoints import meeting_out
from server.meetings.schemas import MeetingOut

router = APIRouter(prefix="/api/meetings", tags=["archive"])

_DOCUMENT = {
    "description": "the meeting document (server/archive/schemas.py)",
    "content": {"application/json": {}},
}


@router.get("/{meeting_id}/export", response_class=Response, responses={200: _DOCUMENT})
async def export_meeting(meeting_id: int, session: Session, _: AdminOnly) -> Response:
    """The whole meeting in one file for the archive: register, agenda, ballots with their
    results, votes, passes (without secrets) and the hash-chained log. No voting cards."""
    document = await service.export_meeting(session, meeting_id)
    return Response(
        orjson.dumps(document),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="meeting-{meeting_id}.json"'},
    )


@router.post("/import", response_model=MeetingOut, status_code=status.HTTP_201_CREATED)
async def import_meeting(
    document: Annotated[dict[str, Any], Body(description="a document from GET /api/meetings/{id}/export")],
    session: Session,
    _: AdminOnly,
) -> MeetingOut:
    """Rebuild an exported meeting under a new id as a closed archive. A broken log chain, or
    tables that disagree with the log, are refused with every problem listed (422)."""
    meeting = await service.import_meeting(session, document)
    return meeting_out(await meeting_service.view(session, meeting))

"""Publication and the published record (SPEC 4.1): public once the chair has published."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.auth.service import Operator, authenticate
from server.deps import ChairOrAdmin, DatabaseDep, Session, get_app_settings
from server.record import page, service
from server.record.content import DOCX_MEDIA_TYPE
from server.record.schemas import LogHeadOut, PublishedOut, RecordOut

router = APIRouter(prefix="/api/meetings/{meeting_id}", tags=["publication"])

_bearer = HTTPBearer(
    auto_error=False,
    description="an operator token: admin and chair read before publication; afterwards no token is needed",
)


async def optional_operator(
    request: Request,
    database: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Operator | None:
    """The operator behind the bearer token, or None without one. A token that is sent must be
    valid (401 otherwise), so that a mistyped token is not mistaken for the public."""
    if credentials is None or not credentials.credentials.strip():
        return None
    settings = get_app_settings(request)
    env_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    async with database.transaction(readonly=True) as session:
        return await authenticate(session, credentials.credentials.strip(), env_token)


Reader = Annotated[Operator | None, Depends(optional_operator)]


@router.post("/publish", response_model=PublishedOut)
async def publish(meeting_id: int, session: Session, _: ChairOrAdmin) -> PublishedOut:
    """Publish the closed meeting's per-member record and event log (SPEC 2.9); once only."""
    meeting, entry = await service.publish(session, meeting_id)
    assert meeting.published_at is not None
    return PublishedOut(
        meeting=meeting.id,
        published_at=meeting.published_at,
        log_head=LogHeadOut(seq=entry.seq, hash=entry.hash),
    )


def _public_url(request: Request) -> str | None:
    """The configured public address (VOTEHALL_PUBLIC_URL) for the documents' check command; never
    the request's Host header, which a client chooses and a cached document would keep."""
    return get_app_settings(request).public_url


def _headers(published: bool, filename: str | None = None) -> dict[str, str]:
    # An unpublished record is a preview for the chair: no cache may keep it.
    headers = {"Cache-Control": "no-cache" if published else "no-store", "X-Content-Type-Options": "nosniff"}
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return headers


def _content(media_type: str, description: str, model: Any = None) -> dict[int | str, dict[str, Any]]:
    answer: dict[str, Any] = {"content": {media_type: {}}, "description": description}
    if model is not None:
        answer["model"] = model
    return {200: answer}


@router.get(
    "/record.json",
    response_class=Response,
    responses=_content("application/json", "how every member voted on every ballot", RecordOut),
)
async def record_json(meeting_id: int, session: Session, reader: Reader, request: Request) -> Response:
    """The per-member record: decided ballots (test votes left out) and every member's choices."""
    meeting, body = await service.rendered(
        session, meeting_id, reader, service.Format.JSON, _public_url(request)
    )
    return Response(body, media_type="application/json", headers=_headers(meeting.published_at is not None))


@router.get(
    "/record.csv",
    response_class=Response,
    responses=_content(
        "text/csv", "one row per member, one column per ballot (see server.record.spreadsheet)"
    ),
)
async def record_csv(meeting_id: int, session: Session, reader: Reader, request: Request) -> Response:
    """The per-member record for a spreadsheet: UTF-8 with BOM, `;` between fields."""
    meeting, body = await service.rendered(
        session, meeting_id, reader, service.Format.CSV, _public_url(request)
    )
    headers = _headers(meeting.published_at is not None, f"stemgedrag-{meeting_id}.csv")
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/record.html", response_class=Response, responses=_content("text/html", "the record as a page"))
async def record_html(meeting_id: int, session: Session, reader: Reader, request: Request) -> Response:
    """The per-member record as a page to read and print, in Dutch."""
    meeting, body = await service.rendered(
        session, meeting_id, reader, service.Format.HTML, _public_url(request)
    )
    headers = _headers(meeting.published_at is not None) | {
        "Content-Security-Policy": page.CONTENT_SECURITY_POLICY,
        "Referrer-Policy": "no-referrer",
    }
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


@router.get(
    "/results.pdf",
    response_class=Response,
    responses=_content("application/pdf", "the results for the minutes, A4"),
)
async def results_pdf(meeting_id: int, session: Session, reader: Reader, request: Request) -> Response:
    """The results of the decided ballots for the minutes, with the log hash of each decision."""
    meeting, body = await service.rendered(
        session, meeting_id, reader, service.Format.PDF, _public_url(request)
    )
    headers = _headers(meeting.published_at is not None) | {
        "Content-Disposition": f'inline; filename="uitslagen-{meeting_id}.pdf"'
    }
    return Response(body, media_type="application/pdf", headers=headers)


@router.get(
    "/results.docx",
    response_class=Response,
    responses=_content(DOCX_MEDIA_TYPE, "the results for the minutes as a Word document, A4"),
)
async def results_docx(meeting_id: int, session: Session, reader: Reader, request: Request) -> Response:
    """The same content as results.pdf in Word, for the secretariat to paste into the minutes."""
    meeting, body = await service.rendered(
        session, meeting_id, reader, service.Format.DOCX, _public_url(request)
    )
    headers = _headers(meeting.published_at is not None, f"uitslagen-{meeting_id}.docx")
    return Response(body, media_type=DOCX_MEDIA_TYPE, headers=headers)


@router.get(
    "/audit",
    response_class=StreamingResponse,
    responses=_content("application/x-ndjson", "the event log, one JSON object a line (server.audit.chain)"),
)
async def audit(
    meeting_id: int, session: Session, database: DatabaseDep, reader: Reader
) -> StreamingResponse:
    """The meeting's hash-chained event log: the admin's before publication, public after."""
    published = await service.check_audit_access(session, meeting_id, reader)
    return StreamingResponse(
        service.audit_lines(database, meeting_id),
        media_type="application/x-ndjson",
        headers=_headers(published, f"logboek-{meeting_id}.ndjson"),
    )

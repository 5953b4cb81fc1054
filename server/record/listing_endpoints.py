"""Where the public finds the records (issue 15): `GET /api/records` and the page `/uitslagen`."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import Session
from server.record import listing, page

router = APIRouter(tags=["publication"])

_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


@router.get("/api/records", response_class=Response, responses={200: {"model": listing.RecordsOut}})
async def records(session: Session) -> Response:
    """Every published meeting, newest first: its decisions and a link to each format of its
    record, for the association's website to link to or embed. Nothing unpublished appears."""
    body = listing.records_out(await listing.published_meetings(session)).model_dump_json(by_alias=True)
    return Response(body, media_type="application/json", headers=_HEADERS)


@router.get(
    "/uitslagen",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "the published meetings as a page"}},
)
async def results_page(session: Session) -> Response:
    """The published meetings as a page in Dutch; any website may embed it in a frame."""
    body = page.listing_html(await listing.published_meetings(session))
    headers = _HEADERS | {
        "Content-Security-Policy": page.LISTING_CONTENT_SECURITY_POLICY,
        "Referrer-Policy": "no-referrer",
    }
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)
